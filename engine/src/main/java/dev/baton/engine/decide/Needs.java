package dev.baton.engine.decide;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.RunCommandType;
import dev.baton.events.TimerFired;
import dev.baton.events.TimerKind;
import dev.baton.template.JobSpec;
import dev.baton.template.Template;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Which fan-out instances a decision needs, from the run document and the event alone (pure): the
 * instance an event is about, the next one to dispatch, and all of a job's instances when the
 * decision may stop them (a failure, cancel, timeout) or gather their outputs (the last one ends).
 * The shell loads these before calling {@link Decider#decide}. They are a guess made before the
 * decision; the decision itself says when it needed more ({@link #unloaded}): then the shell loads
 * every instance of those jobs and decides again, so that no path that stops or gathers a fan-out
 * (a rejection, an unresolvable {@code when}, a failure anywhere in the run) works on a part of it.
 */
public final class Needs {
  private Needs() {}

  /** Instances to load: by job, some indexes; and jobs whose instances are all needed. */
  public record ItemQuery(Map<String, Set<Integer>> indexes, Set<String> allOf) {
    public boolean isEmpty() {
      return indexes.isEmpty() && allOf.isEmpty();
    }

    /** This query, asking also for every instance of {@code jobs}. */
    public ItemQuery withAllOf(Set<String> jobs) {
      Set<String> all = new LinkedHashSet<>(allOf);
      all.addAll(jobs);
      Map<String, Set<Integer>> some = new LinkedHashMap<>(indexes);
      some.keySet().removeAll(all);
      return new ItemQuery(some, all);
    }

    /** Of {@code items} (by {@link ItemState#key}), the ones this query asks for. */
    public Map<String, ItemState> pick(Map<String, ItemState> items) {
      Map<String, ItemState> picked = new LinkedHashMap<>();
      if (isEmpty()) {
        return picked;
      }
      items.forEach(
          (k, v) -> {
            if (allOf.contains(v.job())) {
              picked.put(k, v);
            }
          });
      indexes.forEach(
          (job, wanted) ->
              wanted.forEach(
                  i -> {
                    ItemState item = items.get(ItemState.key(job, i));
                    if (item != null) {
                      picked.put(item.key(), item);
                    }
                  }));
      return picked;
    }
  }

  /** A decision and the state it was made on: {@code state} with the instances it needed. */
  public record Decided(RunState before, Decision decision) {}

  /**
   * Decides {@code event} on {@code state} with the instances the decision needs, which {@code
   * load} gives for a query: those {@link #of} guesses, then, when the decision says it needed more
   * ({@link #unloaded}), all instances of those jobs and the decision made again.
   */
  public static Decided decide(
      RunState state,
      EngineEvent event,
      Template template,
      Instant now,
      RunQuotas quotas,
      Function<ItemQuery, Map<String, ItemState>> load) {
    return decide(state, event, template, now, quotas, load, NO_ARTIFACTS);
  }

  /** Reads no artifact: a {@code forEach} over one fails, saying so. */
  public static final Function<String, ArtifactItems> NO_ARTIFACTS =
      record -> ArtifactItems.failed("this engine has no artifact store (BATON_ARTIFACT_STORE)");

  /**
   * Most rounds of reading artifacts for one decision: a fan-out over an empty artifact can end at
   * once and start another over the next artifact.
   */
  static final int MAX_ARTIFACT_ROUNDS = 8;

  /**
   * As above; a {@code forEach} over an artifact gets its items from {@code readArtifact} (given
   * the producer's record of it), read once per decision that needs them and then decided again.
   */
  public static Decided decide(
      RunState state,
      EngineEvent event,
      Template template,
      Instant now,
      RunQuotas quotas,
      Function<ItemQuery, Map<String, ItemState>> load,
      Function<String, ArtifactItems> readArtifact) {
    ItemQuery query = of(state, event, template);
    RunState before = state == null || query.isEmpty() ? state : state.withItems(load.apply(query));
    Map<String, ArtifactItems> read = new LinkedHashMap<>();
    Decision decision = Decider.decide(before, event, template, now, quotas, read);
    int rounds = 0;
    while (true) {
      Set<String> more = unloaded(state, decision, query);
      if (!more.isEmpty()) {
        // each time a job more: as many rounds at most as the run has jobs
        query = query.withAllOf(more);
        before = state.withItems(load.apply(query));
      } else if (!decision.artifactsToRead().isEmpty()) {
        rounds++;
        for (String record : decision.artifactsToRead()) {
          read.put(
              record,
              rounds <= MAX_ARTIFACT_ROUNDS
                  ? readArtifact.apply(record)
                  : ArtifactItems.failed(
                      "one record may start fan-outs over at most "
                          + MAX_ARTIFACT_ROUNDS
                          + " artifacts in turn"));
        }
      } else {
        return new Decided(before, decision);
      }
      decision = Decider.decide(before, event, template, now, quotas, read);
    }
  }

  public static ItemQuery of(RunState state, EngineEvent event, Template template) {
    Map<String, Set<Integer>> indexes = new LinkedHashMap<>();
    Set<String> all = new LinkedHashSet<>();
    if (state == null
        || template == null
        || state.jobs().values().stream().noneMatch(JobState::fansOut)) {
      return new ItemQuery(indexes, all);
    }
    if (event instanceof EngineEvent.JobCompleted c) {
      completion(state, c.completion(), template, indexes, all);
    } else if (event instanceof EngineEvent.TimerDue t) {
      timer(state, t.timer(), indexes, all);
    } else if (event instanceof EngineEvent.CommandReceived c) {
      if (c.command().getType() == RunCommandType.CANCEL
          || c.command().getType() == RunCommandType.RESUME
          || c.command().getType() == RunCommandType.CACHE_LOOKUP) {
        // a cached result can start jobs whose references fail, failing the run
        all.addAll(runningFanOuts(state));
      } else if (c.command().getType() == RunCommandType.RETRY) {
        state.jobs().values().stream()
            .filter(
                j ->
                    j.fansOut()
                        && (j.status() == JobStatus.FAILED || j.status() == JobStatus.CANCELLED))
            .forEach(j -> all.add(j.name()));
      }
    }
    indexes.keySet().removeAll(all);
    return new ItemQuery(indexes, all);
  }

  /**
   * Fan-out jobs whose status {@code decision} changed while only some of their instances were
   * loaded ({@code loaded}): a job that ends, is stopped or starts again acts on all its instances,
   * so the decision must be made again with all of them. Empty when the decision stands.
   */
  public static Set<String> unloaded(RunState before, Decision decision, ItemQuery loaded) {
    Set<String> out = new LinkedHashSet<>();
    if (before == null || decision.state() == null) {
      return out;
    }
    for (JobState job : before.jobs().values()) {
      JobState after = decision.state().job(job.name());
      if (job.fansOut()
          && !loaded.allOf().contains(job.name())
          && after != null
          && after.status() != job.status()) {
        out.add(job.name());
      }
    }
    return out;
  }

  private static void completion(
      RunState state,
      JobCompletion c,
      Template template,
      Map<String, Set<Integer>> indexes,
      Set<String> all) {
    if (c.getStatus() == CompletionStatus.STARTED) {
      JobState job = state.job(c.getJob());
      if (c.getItem() != null && job != null && job.fansOut()) {
        indexes
            .computeIfAbsent(job.name(), k -> new LinkedHashSet<>())
            .add(c.getItem()); // only the instance that started
      }
      return;
    }
    boolean failing = c.getStatus() != CompletionStatus.SUCCEEDED || lacksOutput(template, c);
    if (failing) {
      all.addAll(runningFanOuts(state));
    }
    JobState job = state.job(c.getJob());
    if (c.getItem() == null || job == null || !job.fansOut()) {
      return;
    }
    indexes.computeIfAbsent(job.name(), k -> new LinkedHashSet<>()).add(c.getItem());
    addNext(job, indexes);
    if (job.itemsDone() >= job.items() - 1) {
      all.add(job.name());
    }
  }

  private static void timer(
      RunState state, TimerFired t, Map<String, Set<Integer>> indexes, Set<String> all) {
    if (t.getKind() == TimerKind.RETRY && t.getItem() != null) {
      JobState job = state.job(t.getJob());
      if (job != null && job.fansOut()) {
        indexes.computeIfAbsent(job.name(), k -> new LinkedHashSet<>()).add(t.getItem());
      }
      return;
    }
    if (t.getKind() == TimerKind.JOB_TIMEOUT || t.getKind() == TimerKind.RUN_TIMEOUT) {
      all.addAll(runningFanOuts(state));
    }
  }

  private static void addNext(JobState job, Map<String, Set<Integer>> indexes) {
    Integer next = FanOut.nextIndex(job);
    if (next != null) {
      indexes.get(job.name()).add(next);
    }
  }

  private static boolean lacksOutput(Template template, JobCompletion c) {
    JobSpec spec = template.job(c.getJob()).orElse(null);
    return spec != null && spec.outputs().stream().anyMatch(k -> !c.getOutputs().containsKey(k));
  }

  private static Set<String> runningFanOuts(RunState state) {
    Set<String> out = new LinkedHashSet<>();
    state.jobs().values().stream()
        .filter(j -> j.fansOut() && j.status() == JobStatus.RUNNING)
        .forEach(j -> out.add(j.name()));
    return out;
  }
}
