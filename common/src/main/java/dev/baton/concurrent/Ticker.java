package dev.baton.concurrent;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task on a daemon thread of its own every {@code tick} (from the end of one run to the
 * start of the next); {@link #close} lets a run in progress finish, for up to 2 seconds.
 */
public final class Ticker implements AutoCloseable {
  private final ScheduledExecutorService executor;

  private Ticker(String name, Duration tick, Runnable task) {
    executor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named(name));
    var unused = // the task reports its own failures
        executor.scheduleWithFixedDelay(
            task, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  public static Ticker every(Duration tick, String name, Runnable task) {
    return new Ticker(name, tick, task);
  }

  /** Closing: a run cut short now is no news. */
  public boolean closing() {
    return executor.isShutdown();
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
        executor.shutdownNow();
        executor.awaitTermination(3, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
