package dev.baton.engine.decide;

import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import java.time.Instant;
import java.util.Map;

/** Builds lifecycle events with deterministic ids: {@code runId/TYPE} or {@code runId/job/attempt/TYPE}. */
final class RunEvents {
  private RunEvents() {}

  static RunEvent of(RunState run, RunEventType type, String job, Integer attempt, Integer exitCode,
      Map<String, String> outputs, String detail, Instant now) {
    String id = job == null ? run.runId() + "/" + type : JobState.attemptId(run.runId(), job, attempt) + "/" + type;
    return RunEvent.newBuilder()
        .setEventId(id)
        .setRunId(run.runId())
        .setOccurredAt(now)
        .setType(type)
        .setTemplate(run.template())
        .setTemplateVersion(run.templateVersion())
        .setJob(job)
        .setAttempt(attempt)
        .setExitCode(exitCode)
        .setOutputs(outputs)
        .setDetail(detail)
        .build();
  }
}
