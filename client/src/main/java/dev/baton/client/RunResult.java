package dev.baton.client;

import java.util.Map;

/**
 * How a run ended. {@code outputs}: the template's outputs under their names, and each job's under
 * {@code job.key}. {@code failedJob} and {@code reason}: for a run that failed, the job whose
 * failure ended it (null when the run itself timed out or was refused) and why; for a cancelled
 * run, the reason given.
 */
public record RunResult(
    String runId, Status status, Map<String, String> outputs, String failedJob, String reason) {

  /** How a run can end. */
  public enum Status {
    SUCCEEDED,
    FAILED,
    CANCELLED
  }

  public RunResult {
    outputs = Map.copyOf(outputs);
  }

  /** Whether the run succeeded. */
  public boolean succeeded() {
    return status == Status.SUCCEEDED;
  }
}
