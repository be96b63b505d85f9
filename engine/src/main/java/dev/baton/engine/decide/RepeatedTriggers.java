package dev.baton.engine.decide;

import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.template.Template;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trigger that names a run which exists (its run id, or the id its idempotency key gives) starts
 * nothing. The engine says so on the events topic (TRIGGER_REPEATED) with that run's status and,
 * when it has ended, its result, so that whoever sent the trigger can follow the run or read how it
 * ended instead of waiting for events that came before it looked.
 */
final class RepeatedTriggers {
  /** Most characters of a result (names and values) a TRIGGER_REPEATED event carries. */
  static final int MAX_RESULT_CHARS = 64 * 1024;

  private RepeatedTriggers() {}

  /**
   * The answer to a trigger for the run {@code state}: TRIGGER_REPEATED, and the trigger refused
   * for all to see ({@code refused}, from {@link TriggerChecks#forExistingRun}) or dropped quietly
   * (null: an idempotency key sent again, or a child's own start).
   */
  static Decision answer(RunState state, Template template, Instant now, String refused) {
    RunStatus status = state.status() == null ? RunStatus.QUEUED : state.status();
    RunEvent.Builder event =
        RunEvent.newBuilder()
            .setEventId(
                state.runId() + "/" + RunEventType.TRIGGER_REPEATED + "@" + now.toEpochMilli())
            .setRunId(state.runId())
            .setOccurredAt(now)
            .setType(RunEventType.TRIGGER_REPEATED)
            .setTemplate(state.template())
            .setTemplateVersion(state.templateVersion())
            .setTenant(state.tenant())
            .setRunStatus(status.name());
    if (status.isFinal()) {
      event
          .setOutputs(status == RunStatus.SUCCEEDED ? result(state, template) : Map.of())
          .setJob(status == RunStatus.FAILED ? failedJob(state) : null)
          .setDetail(state.detail());
    } else {
      event.setDetail("the run exists (" + status + "); a trigger starts a run once");
    }
    EngineCommand refusal =
        refused != null
            ? new EngineCommand.RefuseTrigger(refused)
            : new EngineCommand.Ignore(
                "run '" + state.runId() + "' already exists; a trigger starts a run once");
    return new Decision(
        state, List.of(refusal, new EngineCommand.EmitRunEvent(event.build())), List.of());
  }

  /**
   * The template's outputs by name, then each job's as {@code job.key}, as the run's events gave
   * them; what would pass {@link #MAX_RESULT_CHARS} is left out.
   */
  static Map<String, String> result(RunState state, Template template) {
    Map<String, String> all = new LinkedHashMap<>(Lifecycle.runOutputs(state, template));
    for (JobState job : state.jobs().values()) {
      if (job.status() == JobStatus.SUCCEEDED && job.outputs() != null) {
        job.outputs().forEach((key, value) -> all.put(job.name() + "." + key, value));
      }
    }
    Map<String, String> kept = new LinkedHashMap<>();
    int chars = 0;
    for (Map.Entry<String, String> e : all.entrySet()) {
      chars += e.getKey().length() + (e.getValue() == null ? 0 : e.getValue().length());
      if (chars > MAX_RESULT_CHARS) {
        break;
      }
      kept.put(e.getKey(), e.getValue() == null ? "" : e.getValue());
    }
    return kept;
  }

  private static String failedJob(RunState state) {
    return state.jobs().values().stream()
        .filter(j -> j.status() == JobStatus.FAILED)
        .map(JobState::name)
        .findFirst()
        .orElse(null);
  }
}
