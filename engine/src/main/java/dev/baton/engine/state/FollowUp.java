package dev.baton.engine.state;

import dev.baton.engine.decide.EngineCommand;
import dev.baton.events.TimerFired;
import dev.baton.serde.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * What an applied event writes outside its run's keys, after the run's save: the timers it sets and
 * cancels and the run's place in the index (its partition's keys, fenced by {@code epoch}), and its
 * admission change (its template's queue). Kept with the applied event, so that when the event is
 * applied again after an aborted transaction ({@link AppliedEvent}) these writes are made again:
 * each is idempotent, and made in input order before the transaction commits.
 *
 * @param timers timers to set, as {@code TimerFired} JSON
 * @param createdAt the run's creation time when this event created it (index it), else 0
 * @param results outputs of cached jobs to keep ({@link ResultCache}); null in older records
 * @param tenantRun the run's change among its tenant's runs ({@link TenantRuns}); null: none
 */
public record FollowUp(
    String runId,
    int partition,
    long epoch,
    List<String> timers,
    List<String> cancelledTimers,
    SaveRequest.Admission admission,
    long createdAt,
    List<CachedResult> results,
    EngineCommand.TenantRun tenantRun) {
  private static final EventCodec<TimerFired> TIMERS = EventCodec.of(TimerFired.class);

  public FollowUp {
    timers = timers == null ? List.of() : List.copyOf(timers);
    cancelledTimers = cancelledTimers == null ? List.of() : List.copyOf(cancelledTimers);
    admission = admission == null ? SaveRequest.Admission.NONE : admission;
    results = results == null ? List.of() : List.copyOf(results);
  }

  /** The follow-up of a save with these fields ({@link SaveRequest} keeps it in its record). */
  static FollowUp of(
      String runId,
      long expectedVersion,
      Instant createdAt,
      List<TimerFired> timersToSet,
      List<String> timersToCancel,
      int partition,
      SaveRequest.Admission admission,
      long epoch) {
    long created = expectedVersion == 0 && createdAt != null ? createdAt.toEpochMilli() : 0;
    return new FollowUp(
        runId,
        partition,
        epoch,
        timersToSet.stream()
            .map(t -> new String(TIMERS.encode(t), StandardCharsets.UTF_8))
            .toList(),
        timersToCancel,
        admission,
        created,
        List.of(),
        null);
  }

  /**
   * A fired timer whose record changed nothing in its run (or whose run is gone): it is deleted all
   * the same, so that it does not fire again. Were the transaction to abort, the fired record is
   * read again and decided the same way.
   */
  public static FollowUp timerDone(String runId, int partition, long epoch, String timerId) {
    return new FollowUp(
        runId,
        partition,
        epoch,
        List.of(),
        List.of(timerId),
        SaveRequest.Admission.NONE,
        0,
        List.of(),
        null);
  }

  /**
   * This follow-up written by the task holding {@code newEpoch}: a re-emitted record's follow-up
   * was kept with the epoch of the task that first applied it, which a newer claim fences.
   */
  public FollowUp byEpoch(long newEpoch) {
    return new FollowUp(
        runId,
        partition,
        newEpoch,
        timers,
        cancelledTimers,
        admission,
        createdAt,
        results,
        tenantRun);
  }

  /** This follow-up, also keeping {@code kept} in the result cache. */
  FollowUp withResults(List<CachedResult> kept) {
    return new FollowUp(
        runId, partition, epoch, timers, cancelledTimers, admission, createdAt, kept, tenantRun);
  }

  /** This follow-up, also changing the run's place among its tenant's runs. */
  FollowUp withTenantRun(EngineCommand.TenantRun change) {
    return new FollowUp(
        runId, partition, epoch, timers, cancelledTimers, admission, createdAt, results, change);
  }

  List<TimerFired> timersToSet() {
    return timers.stream()
        .map(json -> TIMERS.decode(json.getBytes(StandardCharsets.UTF_8)))
        .toList();
  }

  boolean touchesPartition() {
    return !timers.isEmpty() || !cancelledTimers.isEmpty() || createdAt > 0;
  }

  boolean isEmpty() {
    return !touchesPartition()
        && admission.op() == SaveRequest.Admission.Op.NONE
        && results.isEmpty()
        && tenantRun == null;
  }
}
