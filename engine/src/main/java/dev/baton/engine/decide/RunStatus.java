package dev.baton.engine.decide;

/** Where a run is. SUCCEEDED, FAILED and CANCELLED are final; a FAILED run may be rerun. */
public enum RunStatus {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
