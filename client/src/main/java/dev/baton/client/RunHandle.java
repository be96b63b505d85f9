package dev.baton.client;

import dev.baton.events.RunEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** A run this client started: its id, its result when it ends, its events as they happen. */
public final class RunHandle {
  private final BatonClient client;
  private final RunFollower follower;

  RunHandle(BatonClient client, RunFollower follower) {
    this.client = client;
    this.follower = follower;
  }

  /** The run's id. */
  public String runId() {
    return follower.runId;
  }

  /**
   * Waits for the run to end, at most {@code timeout}.
   *
   * @throws RunTimeoutException when it has not ended by then (it goes on)
   * @throws BatonException when the engine refused the run (unknown template, bad params), naming
   *     why
   */
  public RunResult await(Duration timeout) {
    try {
      return follower.result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new RunTimeoutException(runId(), timeout);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof BatonException b
          ? b
          : new BatonException("run '" + runId() + "': " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatonException("interrupted while awaiting run '" + runId() + "'", e);
    }
  }

  /** The run's result as a future; it completes exceptionally when the engine refused the run. */
  public CompletableFuture<RunResult> result() {
    return follower.result.copy();
  }

  /** The run's events seen so far, oldest first (at most the last 1,000). */
  public List<RunEvent> events() {
    return follower.events();
  }

  /**
   * Calls {@code listener} with each of the run's events as it happens, after those seen so far. It
   * runs on the client's reader thread: keep it short.
   */
  public RunHandle onEvent(Consumer<RunEvent> listener) {
    follower.listen(listener);
    return this;
  }

  /** Cancels the run. */
  public void cancel() {
    client.cancel(runId());
  }
}
