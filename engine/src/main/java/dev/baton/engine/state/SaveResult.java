package dev.baton.engine.state;

/** What a save did. */
public enum SaveResult {
  /** Written. */
  SAVED,
  /**
   * The stored version is not the expected one: another writer got there first. Reload and decide
   * again.
   */
  CONFLICT,
  /** The event id was already applied (by another record): nothing written. */
  ALREADY_APPLIED
}
