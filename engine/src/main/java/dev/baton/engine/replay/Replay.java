package dev.baton.engine.replay;

import dev.baton.engine.decide.ArtifactItems;
import dev.baton.engine.decide.CacheLookups;
import dev.baton.engine.decide.Decider;
import dev.baton.engine.decide.Decision;
import dev.baton.engine.decide.Effects;
import dev.baton.engine.decide.EngineEvent;
import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.decide.RunQueued;
import dev.baton.engine.decide.RunQuotas;
import dev.baton.engine.decide.RunState;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.template.Template;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Runs a run's input records through {@link Decider#decide} again, in the order given, and sets
 * each decision beside what the engine recorded: every event a decision emits is looked up by its
 * (deterministic) event id among the run's recorded events and compared field by field. Pure: the
 * records, templates and recorded events are read by the caller.
 *
 * <p>What {@code decide} takes besides the record is taken from the record of what happened: a
 * cached step's lookup is answered with the result the recorded JOB_CACHED event names (the engine
 * answers it from Redis), and a tenant's run quota is the one its recorded RUN_QUEUED events state.
 */
public final class Replay {
  private Replay() {}

  /** One input record as read: its event (null when the engine refuses it), time and place. */
  public record Input(
      EngineEvent event, String eventId, String refused, long timestamp, String at) {}

  /** One input replayed: what the decision emitted, and how it differs from the record. */
  public record Step(
      int index,
      Input input,
      List<RunEvent> emitted,
      List<String> transitions,
      List<String> differences,
      boolean duplicate) {}

  /** The whole replay; {@code notReplayed}: recorded events no replayed decision emitted. */
  public record Result(List<Step> steps, List<RunEvent> notReplayed) {
    public long differing() {
      return steps.stream().filter(s -> !s.differences().isEmpty()).count();
    }

    public Step firstDifference() {
      return steps.stream().filter(s -> !s.differences().isEmpty()).findFirst().orElse(null);
    }
  }

  /**
   * Replays {@code inputs}; {@code templates} finds a template by name and version (version null:
   * the one the run used, from its recorded events); {@code version} replaces the run's version
   * (null: as recorded).
   */
  public static Result run(
      List<Input> given,
      List<RunEvent> recorded,
      BiFunction<String, Integer, Template> templates,
      Integer version) {
    return run(given, recorded, templates, version, Needs.NO_ARTIFACTS);
  }

  /** As above; a {@code forEach} over an artifact reads its items with {@code artifacts}. */
  public static Result run(
      List<Input> given,
      List<RunEvent> recorded,
      BiFunction<String, Integer, Template> templates,
      Integer version,
      Function<String, ArtifactItems> artifacts) {
    List<Input> inputs = inEngineOrder(given, recorded);
    Map<String, RunEvent> byId = new LinkedHashMap<>();
    Map<String, Integer> quotas = new HashMap<>();
    Integer recordedVersion = null;
    for (RunEvent e : recorded) {
      byId.put(e.getEventId(), e);
      if (recordedVersion == null && e.getTemplateVersion() != null) {
        recordedVersion = e.getTemplateVersion();
      }
      if (e.getType() == RunEventType.RUN_QUEUED
          && e.getOutputs() != null
          && e.getOutputs().containsKey(RunQueued.MAX_RUNS)) {
        quotas.put(
            e.getOutputs().get(RunQueued.TENANT),
            Integer.parseInt(e.getOutputs().get(RunQueued.MAX_RUNS)));
      }
    }
    RunQuotas runQuotas = tenant -> quotas.getOrDefault(tenant, 0);
    // With another version, details that name the version (RUN_STARTED's) are read as recorded.
    Integer asRecorded = recordedVersion;
    UnaryOperator<String> renamed =
        detail ->
            detail == null || version == null || asRecorded == null
                ? detail
                : detail.replaceAll("@" + version + "\\b", "@" + asRecorded);
    Set<String> matched = new HashSet<>();
    Set<String> applied = new HashSet<>();
    Map<String, ItemState> items = new HashMap<>();
    RunState state = null;
    List<Step> steps = new ArrayList<>();
    int index = 0;
    for (Input in : inputs) {
      index++;
      if (in.event() == null) {
        steps.add(new Step(index, in, List.of(), List.of(), List.of(), false));
        continue;
      }
      if (in.eventId() != null && !applied.add(in.eventId())) {
        steps.add(new Step(index, in, List.of(), List.of(), List.of(), true));
        continue;
      }
      EngineEvent event = answered(in.event(), state, byId);
      String name =
          state != null
              ? state.template()
              : event instanceof EngineEvent.TriggerReceived t ? t.trigger().getTemplate() : null;
      Integer v =
          version != null
              ? version
              : state != null
                  ? Integer.valueOf(state.templateVersion())
                  : event instanceof EngineEvent.TriggerReceived t
                          && t.trigger().getTemplateVersion() != null
                      ? t.trigger().getTemplateVersion()
                      : recordedVersion;
      Template template = name == null ? null : templates.apply(name, v);
      Decision d =
          Needs.decide(
                  state,
                  event,
                  template,
                  Instant.ofEpochMilli(in.timestamp()),
                  runQuotas,
                  query -> query.pick(items),
                  artifacts)
              .decision();
      List<RunEvent> emitted = Effects.of(d.commands()).events();
      List<String> differences = new ArrayList<>();
      for (RunEvent e : emitted) {
        RunEvent r = byId.get(e.getEventId());
        if (r == null) {
          differences.add("replay emits " + describe(e) + "; the engine recorded no such event");
        } else {
          matched.add(e.getEventId());
          String diff = compare(e, r, renamed);
          if (diff != null) {
            differences.add(describe(e) + ": " + diff);
          }
        }
      }
      if (d.state() != null) {
        items.putAll(d.state().items());
        state = d.state().withoutItems();
      }
      steps.add(new Step(index, in, emitted, d.transitions(), differences, false));
    }
    // An event's time is its input record's: the recorded events of each record's time that no
    // decision at that time emitted are missing from it (the first decision at that time differs).
    Map<Long, List<Step>> byTime = new LinkedHashMap<>();
    for (Step st : steps) {
      if (st.input().event() != null && !st.duplicate()) {
        byTime.computeIfAbsent(st.input().timestamp(), k -> new ArrayList<>()).add(st);
      }
    }
    Map<Long, Set<String>> emittedAt = new HashMap<>();
    byTime.forEach(
        (time, group) ->
            group.forEach(
                st ->
                    st.emitted()
                        .forEach(
                            e ->
                                emittedAt
                                    .computeIfAbsent(time, k -> new HashSet<>())
                                    .add(e.getEventId()))));
    List<RunEvent> notReplayed = new ArrayList<>();
    for (RunEvent e : recorded) {
      long time = e.getOccurredAt() == null ? Long.MIN_VALUE : e.getOccurredAt().toEpochMilli();
      List<Step> group = byTime.get(time);
      if (group == null) {
        if (!matched.contains(e.getEventId())) {
          notReplayed.add(e);
        }
      } else if (!emittedAt.getOrDefault(time, Set.of()).contains(e.getEventId())) {
        group
            .get(0)
            .differences()
            .add("the engine recorded " + describe(e) + " here; replay does not emit it here");
      }
    }
    return new Result(steps, notReplayed);
  }

  /**
   * The inputs in the order the engine applied them: by time, except that inputs whose decisions
   * emitted events (each event names its input, {@code cause}) take their places in the order of
   * those events on the events topic, which is the order the engine's task applied them.
   */
  static List<Input> inEngineOrder(List<Input> inputs, List<RunEvent> recorded) {
    Map<String, Integer> position = new HashMap<>();
    for (RunEvent e : recorded) {
      if (e.getCause() != null) {
        position.putIfAbsent(e.getCause(), position.size());
      }
    }
    List<Input> byTime = new ArrayList<>(inputs);
    byTime.sort(Comparator.comparingLong(Input::timestamp));
    List<Integer> slots = new ArrayList<>();
    List<Input> caused = new ArrayList<>();
    Set<String> placed = new HashSet<>();
    for (int i = 0; i < byTime.size(); i++) {
      Input in = byTime.get(i);
      if (in.eventId() != null && position.containsKey(in.eventId()) && placed.add(in.eventId())) {
        slots.add(i);
        caused.add(in);
      }
    }
    caused.sort(Comparator.comparingInt(in -> position.get(in.eventId())));
    for (int k = 0; k < slots.size(); k++) {
      byTime.set(slots.get(k), caused.get(k));
    }
    return byTime;
  }

  /**
   * A cached step's lookup, answered as the engine answered it: with the result the recorded
   * JOB_CACHED event of that attempt names, else as a miss.
   */
  private static EngineEvent answered(
      EngineEvent event, RunState state, Map<String, RunEvent> byId) {
    return CacheLookups.answer(
        event,
        command -> {
          CacheLookups.Hit hit = null;
          for (RunEvent e : byId.values()) {
            if (e.getType() == RunEventType.JOB_CACHED
                && Objects.equals(e.getJob(), command.getJob())
                && Objects.equals(e.getAttempt(), command.getAttempt())
                && e.getDetail() != null
                && e.getDetail().startsWith("result of ")) {
              String detail = e.getDetail();
              int key = detail.lastIndexOf(" for key '");
              hit =
                  new CacheLookups.Hit(
                      e.getOutputs(),
                      detail.substring("result of ".length(), key < 0 ? detail.length() : key));
            }
          }
          return Optional.ofNullable(hit);
        });
  }

  /** What differs between a replayed event and the recorded one (null: nothing that matters). */
  private static String compare(
      RunEvent replayed, RunEvent recorded, UnaryOperator<String> renamed) {
    List<String> out = new ArrayList<>();
    if (!Objects.equals(replayed.getOccurredAt(), recorded.getOccurredAt())) {
      out.add("the engine decided it at another record (at " + recorded.getOccurredAt() + ")");
    }
    field(out, "type", replayed.getType(), recorded.getType());
    field(out, "job", replayed.getJob(), recorded.getJob());
    field(out, "item", replayed.getItem(), recorded.getItem());
    field(out, "attempt", replayed.getAttempt(), recorded.getAttempt());
    field(out, "exit code", replayed.getExitCode(), recorded.getExitCode());
    field(out, "outputs", replayed.getOutputs(), recorded.getOutputs());
    field(out, "detail", renamed.apply(replayed.getDetail()), recorded.getDetail());
    return out.isEmpty() ? null : String.join("; ", out);
  }

  private static void field(List<String> out, String name, Object replayed, Object recorded) {
    if (!Objects.equals(
        replayed == null ? null : replayed.toString(),
        recorded == null ? null : recorded.toString())) {
      out.add(name + " " + replayed + " (recorded: " + recorded + ")");
    }
  }

  /** An event in one line: type, job[item] #attempt. */
  public static String describe(RunEvent e) {
    return e.getType()
        + (e.getJob() == null ? "" : " " + e.getJob())
        + (e.getItem() == null ? "" : "[" + e.getItem() + "]")
        + (e.getAttempt() == null ? "" : " #" + e.getAttempt());
  }
}
