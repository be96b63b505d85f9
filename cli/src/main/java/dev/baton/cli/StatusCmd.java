package dev.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.engine.decide.Children;
import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.JobState;
import dev.baton.engine.decide.JobStatus;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.Waiting;
import dev.baton.engine.state.RedisRunRepository;
import dev.baton.engine.state.StateJson;
import dev.baton.engine.triggers.TemplateCatalog;
import dev.baton.template.ArtifactSpec;
import dev.baton.template.ParsedTemplates;
import dev.baton.template.StepKinds;
import dev.baton.template.Template;
import dev.baton.tracing.TraceIds;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton status}: the run's state as the engine keeps it in Redis. */
@Command(
    name = "status",
    description = "Show a run's state: jobs, statuses, outputs.",
    mixinStandardHelpOptions = true)
final class StatusCmd implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Mixin RedisOptions redis;

  @Mixin KafkaOptions kafka;

  @Option(names = "--json", description = "Print the stored state as JSON")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Optional<RunState> found;
    Map<String, List<RunState>> children = new LinkedHashMap<>();
    try (RedisRunRepository runs = redis.open("status")) {
      found = runs.find(runId);
      found.ifPresent(run -> children.putAll(children(run, runs)));
    }
    if (found.isEmpty()) {
      spec.commandLine().getErr().println("no run '" + runId + "' (not started yet, or expired)");
      return 1;
    }
    RunState run = found.get();
    if (json) {
      out.println(StateJson.write(run));
      return 0;
    }
    print(run, out, children, templateOf(run));
    return 0;
  }

  /**
   * How long status waits for the broker before it shows the run without its template: the run is
   * in Redis, and a broker out of reach should not hold it up.
   */
  static final Duration TEMPLATE_STORE_REACH = Duration.ofSeconds(3);

  /** The run's template version from the store, to say what each step calls; null if unread. */
  private Template templateOf(RunState run) {
    try {
      Map<String, String> store =
          TriggersCmd.readStore(
              kafka.bootstrapServers(), kafka.topics().templates(), TEMPLATE_STORE_REACH);
      return new TemplateCatalog(() -> store, new ParsedTemplates(why -> {}))
          .allVersions().stream()
              .filter(t -> t.name().equals(run.template()) && t.version() == run.templateVersion())
              .findFirst()
              .orElse(null);
    } catch (RuntimeException e) {
      return null; // the store cannot be read now: the jobs are shown without it
    }
  }

  /** Most child runs shown per job. */
  static final int MAX_CHILDREN_SHOWN = 10;

  /**
   * The child runs of the run's jobs' current attempts (of jobs that run a template), by job: of a
   * fan-out, those of its first instances.
   */
  static Map<String, List<RunState>> children(RunState run, RedisRunRepository runs) {
    Map<String, String> ids = new LinkedHashMap<>();
    for (JobState j : run.jobs().values()) {
      if (!j.fansOut() && j.attempt() > 0) {
        ids.put(Children.runId(run.runId(), j.name(), null, j.attempt()), j.name());
      } else if (j.fansOut()) {
        runs
            .loadItems(run.runId(), new Needs.ItemQuery(Map.of(), Set.of(j.name())))
            .values()
            .stream()
            .filter(i -> i.attempt() > 0)
            .sorted(Comparator.comparingInt(ItemState::index))
            .limit(MAX_CHILDREN_SHOWN)
            .forEach(
                i ->
                    ids.put(
                        Children.runId(run.runId(), j.name(), i.index(), i.attempt()), j.name()));
      }
    }
    Map<String, List<RunState>> byJob = new LinkedHashMap<>();
    if (!ids.isEmpty()) {
      runs.findAll(List.copyOf(ids.keySet()))
          .forEach(c -> byJob.computeIfAbsent(ids.get(c.runId()), k -> new ArrayList<>()).add(c));
    }
    return byJob;
  }

  static void print(RunState run, PrintWriter out) {
    print(run, out, Map.of());
  }

  static void print(RunState run, PrintWriter out, Map<String, List<RunState>> children) {
    print(run, out, children, null);
  }

  /** With {@code template} (null: unknown), each step that is not a command says what it calls. */
  static void print(
      RunState run, PrintWriter out, Map<String, List<RunState>> children, Template template) {
    out.printf("run       %s%n", run.runId());
    out.printf("template  %s v%d%n", run.template(), run.templateVersion());
    out.printf(
        "tenant    %s%s%n",
        run.tenantName(), run.priority() == 0 ? "" : "   priority " + run.priority());
    out.printf(
        "status    %s%s%s%n",
        run.status(),
        run.paused() ? " PAUSED (resume with `baton resume " + run.runId() + "`)" : "",
        run.detail() == null ? "" : " (" + run.detail() + ")");
    out.printf(
        "params    %s%n",
        run.params().entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(" ")));
    if (run.parent() != null) {
      out.printf(
          "parent    %s (job %s, attempt %d; level %d)%n",
          run.parent().runId(),
          run.parent().job() + (run.parent().item() == null ? "" : "[" + run.parent().item() + "]"),
          run.parent().attempt(),
          run.parent().depth());
    }
    out.printf(
        "started   %s%s%n",
        run.createdAt(), run.endedAt() == null ? "" : "   ended " + run.endedAt());
    out.printf("trace     %s%n", TraceIds.trace(run.runId()));
    out.println("jobs");
    for (JobState job : run.jobs().values()) {
      String took =
          job.startedAt() != null && job.endedAt() != null
              ? (job.endedAt().toEpochMilli() - job.startedAt().toEpochMilli()) + " ms"
              : "";
      if (job.fansOut()) {
        out.printf(
            "  %-14s %-10s %d items: %d succeeded, %d failed, %d running%n",
            job.name(),
            job.status(),
            job.items(),
            job.itemsDone(),
            job.itemsFailed(),
            job.itemsActive());
      } else if (job.awaiting() != null && job.status() == JobStatus.RUNNING) {
        out.printf(
            "  %-14s %-10s attempt %d  %s%n",
            job.name(), "WAITING", job.attempt(), Waiting.describe(job.awaiting(), Instant.now()));
      } else if (job.cached()) {
        out.printf(
            "  %-14s %-10s key %s%n", job.name(), "CACHED", RunFollower.shorten(job.cacheKey()));
      } else {
        out.printf(
            "  %-14s %-10s attempt %d  %s%s%n",
            job.name(),
            job.inLookup() ? "LOOKUP" : job.status(),
            job.attempt(),
            job.exitCode() == null
                ? ""
                : (kind(template, job).equals("http") ? "HTTP " : "exit ") + job.exitCode() + "  ",
            took);
      }
      String kind = kind(template, job);
      if (!kind.equals("command") && !kind.equals("pod") && !kind.isEmpty()) {
        out.printf("      %s: %s%n", kind, StepKinds.calls(template.job(job.name()).orElseThrow()));
      }
      for (RunState child : children.getOrDefault(job.name(), List.of())) {
        long ended = child.jobs().values().stream().filter(j -> j.status().isFinal()).count();
        out.printf(
            "      child run %s: %s, %d of %d jobs ended%n",
            child.runId(), child.status(), ended, child.jobs().size());
      }
      job.outputs()
          .forEach(
              (k, v) -> {
                if (k.startsWith(ArtifactSpec.OUTPUT_PREFIX)) {
                  out.printf(
                      "      artifact %s%n",
                      artifactLine(k.substring(ArtifactSpec.OUTPUT_PREFIX.length()), v));
                } else {
                  out.printf("      %s = %s%n", k, RunFollower.shorten(v));
                }
              });
      if (job.error() != null) {
        out.printf("      error: %s%n", job.error().strip().replace("\n", "\n             "));
      }
    }
  }

  /** The step's kind by its template ("" when the template or the job is unknown). */
  private static String kind(Template template, JobState job) {
    return template == null ? "" : template.job(job.name()).map(StepKinds::kind).orElse("");
  }

  /** An artifact as {@code baton status} shows it: name, size, hash, producing attempt, uri. */
  static String artifactLine(String name, String ref) {
    try {
      var a = new ObjectMapper().readTree(ref);
      if (a.isArray()) {
        long bytes = 0;
        for (var one : a) {
          bytes += one.path("size").asLong();
        }
        return String.format(
            "%s  %d files, one per instance (%,d bytes)  %s",
            name, a.size(), bytes, a.path(0).path("uri").asText());
      }
      return String.format(
          "%s  %,d bytes  sha256 %s  (attempt %s)  %s",
          name,
          a.path("size").asLong(),
          a.path("sha256").asText(),
          a.path("attempt").asText(),
          a.path("uri").asText());
    } catch (IOException e) {
      return name + "  " + RunFollower.shorten(ref);
    }
  }
}
