package dev.baton.engine.state;

import dev.baton.events.TimerFired;
import dev.baton.serde.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The keys and arguments of one call of {@code save.lua} (the script documents their order), and
 * what its answer means.
 */
final class SaveScript {
  private static final EventCodec<TimerFired> TIMERS = EventCodec.of(TimerFired.class);

  private final RedisKeys keys;
  private final int maxAppliedIds;
  private final Duration finishedRetention;

  SaveScript(RedisKeys keys, int maxAppliedIds, Duration finishedRetention) {
    this.keys = keys;
    this.maxAppliedIds = maxAppliedIds;
    this.finishedRetention = finishedRetention;
  }

  record Call(List<Object> keys, Object[] args) {}

  Call call(SaveRequest r) {
    String run = RedisKeys.run(r.runId());
    String timers = keys.timers(r.partition());
    String template = r.admission().template().isEmpty() ? "-" : r.admission().template();
    List<Object> scriptKeys =
        Arrays.asList(
            run,
            run + ":applied-order",
            run + ":items",
            timers,
            timers + ":data",
            keys.limit(template, "queue"),
            keys.limit(template, "active"),
            keys.limit(template, "admitting"),
            keys.limits(),
            keys.limits() + ":max",
            keys.epoch(r.partition()),
            keys.runIndex());
    long ttl = r.state().status().isFinal() ? finishedRetention.toSeconds() : 0;
    List<Object> args =
        new ArrayList<>(
            List.of(
                Long.toString(r.expectedVersion()),
                StateJson.write(r.state().withoutItems().withoutOutputs()),
                r.eventId(),
                StateJson.write(r.applied()),
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
    args.add(Integer.toString(r.timersToSet().size()));
    for (TimerFired t : r.timersToSet()) {
      args.add(t.getEventId());
      args.add(Long.toString(t.getDueAt().toEpochMilli()));
      args.add(new String(TIMERS.encode(t), StandardCharsets.UTF_8));
    }
    args.add(Integer.toString(r.timersToCancel().size()));
    args.addAll(r.timersToCancel());
    args.addAll(
        List.of(
            r.admission().op().name(),
            r.runId(),
            template,
            Integer.toString(r.admission().limit())));
    args.add(
        Long.toString(r.state().createdAt() == null ? 0 : r.state().createdAt().toEpochMilli()));
    args.add(Long.toString(r.epoch()));
    return new Call(scriptKeys, args.toArray());
  }

  static SaveResult result(SaveRequest r, Long code) {
    if (code != null && code == -1L) {
      throw new FencedException(
          "partition "
              + r.partition()
              + " was claimed by a newer task (epoch > "
              + r.epoch()
              + "); this task lost it and its write for run "
              + r.runId()
              + " is refused");
    }
    if (code != null && code == 2L) {
      return SaveResult.ALREADY_APPLIED;
    }
    return code != null && code == 1L ? SaveResult.SAVED : SaveResult.CONFLICT;
  }
}
