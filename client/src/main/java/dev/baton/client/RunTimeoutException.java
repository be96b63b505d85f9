package dev.baton.client;

import java.time.Duration;

/**
 * A run did not end within the time {@link RunHandle#await(Duration)} was given. The run goes on:
 * await it again, or cancel it.
 */
public final class RunTimeoutException extends BatonException {
  private final String runId;

  public RunTimeoutException(String runId, Duration waited) {
    super("run '" + runId + "' did not end within " + waited.toMillis() + " ms; it goes on");
    this.runId = runId;
  }

  /** The run that did not end. */
  public String runId() {
    return runId;
  }
}
