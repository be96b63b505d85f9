package dev.baton.engine.state;

import dev.baton.engine.decide.EngineCommand;
import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.RunState;
import dev.baton.events.TimerFired;
import java.util.List;
import java.util.Map;

/**
 * Everything one applied event writes: in one atomic step, the run document (without its instances;
 * its job outputs only when they changed), the instances it changed, the applied event id with its
 * record and outputs; then, as its {@link FollowUp}, the timers it set and cancelled (in the timer
 * set of {@code partition}) and what it does to its template's admission queue. {@code epoch} is
 * the writing task's claim on {@code partition} ({@link RunRepository#claimPartition}); a save with
 * an older epoch is refused (0: unchecked).
 */
public record SaveRequest(
    String runId,
    long expectedVersion,
    RunState state,
    boolean outputsChanged,
    Map<String, ItemState> changedItems,
    String eventId,
    AppliedEvent applied,
    List<TimerFired> timersToSet,
    List<String> timersToCancel,
    int partition,
    Admission admission,
    long epoch) {

  public SaveRequest {
    changedItems = Map.copyOf(changedItems);
    timersToSet = List.copyOf(timersToSet);
    timersToCancel = List.copyOf(timersToCancel);
    if (applied.followUp() == null) {
      // Built once: the save stores it with the applied record, the engine writes it after.
      applied =
          applied.withFollowUp(
              FollowUp.of(
                  runId,
                  expectedVersion,
                  state.createdAt(),
                  timersToSet,
                  timersToCancel,
                  partition,
                  admission,
                  epoch));
    }
  }

  /** This save, whose follow-up also changes the run's place among its tenant's runs. */
  public SaveRequest withTenantRun(EngineCommand.TenantRun change) {
    return change == null ? this : withFollowUp(applied.followUp().withTenantRun(change));
  }

  /** This save, whose follow-up also keeps {@code results} in the result cache. */
  public SaveRequest withResults(List<CachedResult> results) {
    return results.isEmpty() ? this : withFollowUp(applied.followUp().withResults(results));
  }

  private SaveRequest withFollowUp(FollowUp followUp) {
    return new SaveRequest(
        runId,
        expectedVersion,
        state,
        outputsChanged,
        changedItems,
        eventId,
        applied.withFollowUp(followUp),
        timersToSet,
        timersToCancel,
        partition,
        admission,
        epoch);
  }

  /** What this save writes beyond the run's keys, after it. */
  public FollowUp followUp() {
    return applied.followUp();
  }

  /** A run's place under its template's maxConcurrentRuns. */
  public record Admission(Op op, String template, int limit) {
    public enum Op {
      NONE,
      ENQUEUE,
      ADMITTED,
      RELEASE
    }

    public static final Admission NONE = new Admission(Op.NONE, "", 0);
  }
}
