package dev.baton.engine.decide;

import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import java.time.Instant;
import java.util.Map;

/**
 * Builds lifecycle events with deterministic ids: {@code runId/TYPE[/n]} or {@code <attempt
 * id>/TYPE}.
 */
final class RunEvents {
  private RunEvents() {}

  static RunEvent of(
      RunState run,
      RunEventType type,
      String job,
      Integer item,
      Integer attempt,
      Integer exitCode,
      Map<String, String> outputs,
      String detail,
      Instant now) {
    String id;
    if (job == null) {
      // A rerun can end or start a run again: number run-level events by the run's rerun count.
      id = run.runId() + "/" + type + "@" + now.toEpochMilli();
    } else if (attempt == null) {
      id =
          run.runId()
              + "/"
              + job
              + (item == null ? "" : "[" + item + "]")
              + "/"
              + type
              + "@"
              + now.toEpochMilli();
    } else {
      id = JobState.attemptId(run.runId(), job, item, attempt) + "/" + type;
    }
    return RunEvent.newBuilder()
        .setEventId(id)
        .setRunId(run.runId())
        .setOccurredAt(now)
        .setType(type)
        .setTemplate(run.template())
        .setTemplateVersion(run.templateVersion())
        .setJob(job)
        .setAttempt(attempt)
        .setItem(item)
        .setExitCode(exitCode)
        .setOutputs(outputs)
        .setDetail(detail)
        .build();
  }
}
