package dev.baton.engine.state;

import dev.baton.events.TimerFired;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The keys and arguments of one call of {@code save.lua} and of the follow-up scripts (each script
 * documents their order), and what their answers mean.
 */
final class SaveScript {
  private final RedisKeys keys;
  private final int maxAppliedIds;
  private final Duration finishedRetention;

  SaveScript(RedisKeys keys, int maxAppliedIds, Duration finishedRetention) {
    this.keys = keys;
    this.maxAppliedIds = maxAppliedIds;
    this.finishedRetention = finishedRetention;
  }

  record Call(List<Object> keys, Object[] args) {}

  /**
   * Most bytes of produced records a run keeps, the newest first: they are needed only until the
   * transaction that carried them commits; past this, a record applied again after an abort could
   * not re-emit them (a single uncommitted batch of one run would have to produce this much).
   */
  static final long PRODUCED_BUDGET_BYTES = 16L * 1024 * 1024;

  Call call(SaveRequest r) {
    String run = RedisKeys.run(r.runId());
    long ttl = r.state().status().isFinal() ? finishedRetention.toSeconds() : 0;
    List<Object> args =
        new ArrayList<>(
            List.of(
                Long.toString(r.expectedVersion()),
                StateJson.write(r.state().withoutItems().withoutOutputs()),
                r.eventId(),
                StateJson.write(r.applied().withoutProduced()),
                Integer.toString(maxAppliedIds),
                Long.toString(ttl),
                r.outputsChanged() ? StateJson.write(r.state().outputsByJob()) : ""));
    args.add(Integer.toString(r.changedItems().size()));
    r.changedItems()
        .forEach(
            (field, item) -> {
              args.add(field);
              args.add(StateJson.write(item));
            });
    args.add(r.applied().produced().isEmpty() ? "" : StateJson.write(r.applied().produced()));
    args.add(Long.toString(PRODUCED_BUDGET_BYTES));
    args.add(Long.toString(r.epoch()));
    return new Call(
        Arrays.asList(run, run + ":applied-order", run + ":items", run + ":produced-order"),
        args.toArray());
  }

  /** The partition's part of a follow-up: timers and index. */
  Call partition(FollowUp f) {
    List<Object> args = new ArrayList<>();
    args.add(Long.toString(f.epoch()));
    args.add(f.runId());
    args.add(Long.toString(f.createdAt()));
    List<TimerFired> timers = f.timersToSet();
    args.add(Integer.toString(timers.size()));
    for (int i = 0; i < timers.size(); i++) {
      args.add(timers.get(i).getEventId());
      args.add(Long.toString(timers.get(i).getDueAt().toEpochMilli()));
      args.add(f.timers().get(i));
    }
    args.add(Integer.toString(f.cancelledTimers().size()));
    args.addAll(f.cancelledTimers());
    int p = f.partition();
    return new Call(
        Arrays.asList(keys.epoch(p), keys.timers(p), keys.timerData(p), keys.runIndex(p)),
        args.toArray());
  }

  /** The template's part of a follow-up: the run's place in its admission queue. */
  Call admission(FollowUp f) {
    String template = f.admission().template();
    return new Call(
        Arrays.asList(
            keys.limit(template, "queue"),
            keys.limit(template, "active"),
            keys.limit(template, "admitting")),
        new Object[] {f.admission().op().name(), f.runId()});
  }

  static SaveResult result(SaveRequest r, Long code) {
    if (code != null && code == -1L) {
      throw fenced(r.partition(), r.epoch(), "its write for run " + r.runId());
    }
    if (code != null && code == 2L) {
      return SaveResult.ALREADY_APPLIED;
    }
    return code != null && code == 1L ? SaveResult.SAVED : SaveResult.CONFLICT;
  }

  static FencedException fenced(int partition, long epoch, String what) {
    return new FencedException(
        "partition "
            + partition
            + " was claimed by a newer task (epoch > "
            + epoch
            + "); this task lost it and "
            + what
            + " is refused");
  }
}
