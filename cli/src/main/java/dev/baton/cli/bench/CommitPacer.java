package dev.baton.cli.bench;

import java.time.Duration;

/**
 * The engine's exactly-once commit rule before group commit, kept for the ceiling to compare: when
 * a task whose input is drained asks for its commit. At once when records come one at a time (its
 * last transaction carried a single record): waiting would only add latency. When they come
 * together, at most once per commit interval: the interval's own commit then takes the records that
 * are left, with those that follow, so each transaction carries more records and the
 * per-transaction cost (several broker round trips and log appends) is shared.
 */
final class CommitPacer {
  private final long intervalNanos;
  private long lastCommitNanos;
  private int recordsSinceCommit;
  private int recordsInLastCommit;

  CommitPacer(Duration interval) {
    this.intervalNanos = interval.toNanos();
  }

  /** One more record processed since the last commit. */
  void processed() {
    recordsSinceCommit++;
  }

  /** The task commits now (its commit hook runs). */
  void committing() {
    lastCommitNanos = System.nanoTime();
    recordsInLastCommit = recordsSinceCommit;
    recordsSinceCommit = 0;
  }

  /** Whether a task whose input is drained should ask for its commit now. */
  boolean commitNow() {
    return recordsInLastCommit <= 1 || System.nanoTime() - lastCommitNanos >= intervalNanos;
  }
}
