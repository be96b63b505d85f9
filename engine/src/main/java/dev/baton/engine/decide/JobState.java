package dev.baton.engine.decide;

import java.time.Instant;
import java.util.Map;

/** One job of a run: its current attempt and how the last attempt ended. Immutable. */
public record JobState(
    String name,
    JobStatus status,
    int attempt,
    Map<String, String> outputs,
    Integer exitCode,
    String error,
    Instant dispatchedAt,
    Instant startedAt,
    Instant endedAt) {

  public JobState {
    outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
  }

  public static JobState pending(String name) {
    return new JobState(name, JobStatus.PENDING, 0, Map.of(), null, null, null, null, null);
  }

  JobState dispatched(int nextAttempt, Instant at) {
    return new JobState(name, JobStatus.RUNNING, nextAttempt, Map.of(), null, null, at, null, null);
  }

  JobState ended(JobStatus s, Map<String, String> outs, Integer exit, String err, Instant started, Instant ended) {
    return new JobState(name, s, attempt, outs, exit, err, dispatchedAt, started, ended);
  }

  /** The attempt id {@code runId/job/attempt}: pod names, dedup keys and completion ids derive from it. */
  public static String attemptId(String runId, String job, int attempt) {
    return runId + "/" + job + "/" + attempt;
  }
}
