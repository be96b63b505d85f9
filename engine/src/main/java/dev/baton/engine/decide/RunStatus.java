package dev.baton.engine.decide;

/** Where a run is. SUCCEEDED, FAILED and CANCELLED are final. */
public enum RunStatus {
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public boolean isFinal() {
    return this != RUNNING;
  }
}
