package dev.baton.engine.topology;

import java.util.concurrent.atomic.AtomicLong;

/** What the engine did, counted: for logs, tests and the benchmark. */
public final class EngineCounters {
  final AtomicLong applied = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
  final AtomicLong reemitted = new AtomicLong();
  final AtomicLong casConflicts = new AtomicLong();
  final AtomicLong deadLettered = new AtomicLong();
  final AtomicLong ignored = new AtomicLong();

  /** Valid events that changed nothing: a stale or repeated completion, a cancel of an ended run. */
  public long ignored() {
    return ignored.get();
  }

  public long applied() {
    return applied.get();
  }

  /** Events dropped because another record had already applied the same event id. */
  public long duplicates() {
    return duplicates.get();
  }

  /** Records re-emitted for an event whose earlier transaction aborted after Redis was written. */
  public long reemitted() {
    return reemitted.get();
  }

  public long casConflicts() {
    return casConflicts.get();
  }

  public long deadLettered() {
    return deadLettered.get();
  }
}
