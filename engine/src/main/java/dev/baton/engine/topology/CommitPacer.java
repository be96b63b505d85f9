package dev.baton.engine.topology;

import java.time.Duration;

/**
 * When a task whose input is drained asks for its exactly-once commit. At once when records come
 * one at a time (its last transaction carried a single record): waiting would only add latency.
 * When they come together, at most once per commit interval: the interval's own commit then takes
 * the records that are left, with those that follow, so each transaction carries more records and
 * the per-transaction cost (several broker round trips and log appends) is shared.
 */
public final class CommitPacer {
  private final long intervalNanos;
  private long lastCommitNanos;
  private int recordsSinceCommit;
  private int recordsInLastCommit;

  public CommitPacer(Duration interval) {
    this.intervalNanos = interval.toNanos();
  }

  /** One more record processed since the last commit. */
  public void processed() {
    recordsSinceCommit++;
  }

  /** The task commits now (its commit hook runs). */
  public void committing() {
    lastCommitNanos = System.nanoTime();
    recordsInLastCommit = recordsSinceCommit;
    recordsSinceCommit = 0;
  }

  /** Whether a task whose input is drained should ask for its commit now. */
  public boolean commitNow() {
    return recordsInLastCommit <= 1 || System.nanoTime() - lastCommitNanos >= intervalNanos;
  }
}
