package dev.baton.engine.decide;

/**
 * Where one job (or one fan-out instance) is. PENDING: not dispatched; RUNNING: dispatched, no
 * completion yet; WAITING: failed, a retry is due after its backoff.
 */
public enum JobStatus {
  PENDING,
  RUNNING,
  WAITING,
  SUCCEEDED,
  FAILED,
  SKIPPED,
  CANCELLED;

  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == SKIPPED || this == CANCELLED;
  }

  /** Done in a way that lets the jobs after it run. */
  public boolean letsDependentsRun() {
    return this == SUCCEEDED || this == SKIPPED;
  }
}
