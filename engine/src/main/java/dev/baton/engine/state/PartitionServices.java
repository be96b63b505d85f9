package dev.baton.engine.state;

import dev.baton.events.TimerFired;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the engine's partitions share besides runs: each partition's claim (epoch) and timers, the
 * admission queues of limited templates, the schedules' marks, the job slots and each tenant's
 * runs.
 */
public interface PartitionServices {

  /**
   * Claims {@code partition} for a task that has just been given it: returns a new epoch, higher
   * than any before. A save carrying an older epoch (from a task that lost the partition, a zombie)
   * than the run's last writer, and a follow-up carrying an older epoch than the partition's, are
   * refused with {@link FencedException}.
   */
  long claimPartition(int partition);

  /**
   * Timers of {@code partition} due at {@code now}, at most {@code max}. Each is leased, not
   * removed: it fires again after {@code lease} unless the event it becomes is applied first.
   */
  List<TimerFired> leaseDueTimers(int partition, Instant now, int max, Duration lease);

  /** Queued runs that may start now (a slot of their template is free), leased like timers. */
  List<String> leaseAdmissions(Instant now, Duration lease);

  /** The admission of {@code runId} was applied (or is moot). */
  void admitted(String template, String runId);

  /**
   * The last schedule tick of {@code template} that was fired or skipped, or null before its first.
   */
  Instant scheduleMark(String template);

  /**
   * Moves the schedule mark to {@code tick} if that is later (a compare-and-set: instances race
   * here).
   */
  void advanceScheduleMark(String template, Instant tick);

  /** The job slots shared between tenants; null where the store has none (tests). */
  default JobSlots slots() {
    return null;
  }

  /** Each tenant's running and queued top-level runs; null where the store has none (tests). */
  default TenantRuns tenantRuns() {
    return null;
  }
}
