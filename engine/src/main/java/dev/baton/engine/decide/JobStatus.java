package dev.baton.engine.decide;

/** Where one job of a run is. PENDING: not dispatched yet; RUNNING: dispatched, no completion yet. */
public enum JobStatus {
  PENDING,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
