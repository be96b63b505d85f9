package dev.baton.engine.state;

import dev.baton.events.TimerFired;
import dev.baton.serde.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * What the engine's partitions share in Redis besides runs: each partition's epoch and timers, the
 * admission queues of limited templates, and the schedules' marks.
 */
final class RedisPartitionServices {
  private static final EventCodec<TimerFired> TIMERS = EventCodec.of(TimerFired.class);
  private static final String LEASE_TIMERS = LuaScripts.read("lease-timers");
  private static final String LEASE_ADMISSIONS = LuaScripts.read("lease-admissions");
  private static final String MOVE_LEGACY_PARTITION = LuaScripts.read("move-legacy-partition");

  private final RedissonClient redisson;
  private final RScript script;
  private final RedisKeys keys;
  private final boolean cluster;

  RedisPartitionServices(RedissonClient redisson, RedisKeys keys, boolean cluster) {
    this.redisson = redisson;
    this.script = redisson.getScript(StringCodec.INSTANCE);
    this.keys = keys;
    this.cluster = cluster;
  }

  /**
   * A new epoch for the partition; on one Redis, first moves the partition's epoch and timers from
   * the keys of Baton before partitions had their own hash tag.
   */
  long claimPartition(int partition) {
    if (!cluster) {
      script.eval(
          RScript.Mode.READ_WRITE,
          MOVE_LEGACY_PARTITION,
          RScript.ReturnType.LONG,
          Arrays.asList(
              keys.legacyEpoch(partition),
              keys.legacyTimers(partition),
              keys.legacyTimers(partition) + ":data",
              keys.epoch(partition),
              keys.timers(partition),
              keys.timerData(partition)));
    }
    redisson.getSet(keys.partitions(), StringCodec.INSTANCE).add(Integer.toString(partition));
    return redisson.getAtomicLong(keys.epoch(partition)).incrementAndGet();
  }

  List<TimerFired> leaseDueTimers(int partition, Instant now, int max, Duration lease) {
    List<Object> out =
        script.eval(
            RScript.Mode.READ_WRITE,
            LEASE_TIMERS,
            RScript.ReturnType.LIST,
            Arrays.asList(keys.timers(partition), keys.timerData(partition)),
            Long.toString(now.toEpochMilli()),
            Integer.toString(max),
            Long.toString(lease.toMillis()));
    return out.stream()
        .map(o -> TIMERS.decode(o.toString().getBytes(StandardCharsets.UTF_8)))
        .toList();
  }

  /** Each limited template's queue in turn, in one pipeline (each queue is a slot of its own). */
  List<String> leaseAdmissions(Instant now, Duration lease) {
    Map<String, String> limits =
        redisson.<String, String>getMap(keys.limits() + ":max", StringCodec.INSTANCE).readAllMap();
    Set<String> templates = redisson.<String>getSet(keys.limits(), StringCodec.INSTANCE).readAll();
    if (templates.isEmpty()) {
      return List.of();
    }
    RBatch batch = redisson.createBatch(BatchOptions.defaults());
    RScriptAsync pipelined = batch.getScript(StringCodec.INSTANCE);
    List<RFuture<List<Object>>> replies = new ArrayList<>();
    for (String t : templates) {
      replies.add(
          pipelined.evalAsync(
              RScript.Mode.READ_WRITE,
              LEASE_ADMISSIONS,
              RScript.ReturnType.LIST,
              Arrays.asList(
                  keys.limit(t, "queue"), keys.limit(t, "active"), keys.limit(t, "admitting")),
              limits.getOrDefault(t, "0"),
              Long.toString(now.toEpochMilli()),
              Long.toString(lease.toMillis())));
    }
    LuaScripts.execute(redisson, batch);
    List<String> out = new ArrayList<>();
    for (var reply : replies) {
      reply.toCompletableFuture().join().forEach(id -> out.add(id.toString()));
    }
    return out;
  }

  void admitted(String template, String runId) {
    redisson
        .getScoredSortedSet(keys.limit(template, "admitting"), StringCodec.INSTANCE)
        .remove(runId);
  }

  private static final String ADVANCE_MARK = LuaScripts.read("advance-schedule-mark");

  Instant scheduleMark(String template) {
    String v =
        redisson.<String>getBucket("baton:schedule:{" + template + "}", StringCodec.INSTANCE).get();
    return v == null ? null : Instant.ofEpochMilli(Long.parseLong(v));
  }

  void advanceScheduleMark(String template, Instant tick) {
    script.eval(
        RScript.Mode.READ_WRITE,
        ADVANCE_MARK,
        RScript.ReturnType.LONG,
        List.of("baton:schedule:{" + template + "}"),
        Long.toString(tick.toEpochMilli()));
  }
}
