package dev.baton.engine.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.redis.RedisServerProcess;
import dev.baton.redis.RedisSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * A Redis written by Baton before partitions had their own hash tag: claiming a partition moves its
 * epoch and timers, so no timer is lost and no zombie of the old layout can write.
 */
class LegacyPartitionKeysIT {
  @Test
  void claimingAPartitionMovesItsTimersAndEpochFromTheOldKeys() throws Exception {
    try (RedisServerProcess server = RedisServerProcess.start(RedisRunRepositoryCases.freePort());
        RedisRunRepository runs =
            new RedisRunRepository(RedisSettings.of(server.url()), "old", 3, Duration.ofHours(1))) {
      RedissonClient redis = RedisSettings.of(server.url()).connect(1, 2);
      try {
        String timer =
            new String(
                dev.baton.serde.EventCodec.of(dev.baton.events.TimerFired.class)
                    .encode(
                        dev.baton.events.TimerFired.newBuilder()
                            .setEventId("r-1/a/1/retry")
                            .setRunId("r-1")
                            .setKind(dev.baton.events.TimerKind.RETRY)
                            .setJob("a")
                            .setAttempt(1)
                            .setDueAt(Instant.ofEpochMilli(1000))
                            .build()),
                java.nio.charset.StandardCharsets.UTF_8);
        redis
            .getScoredSortedSet("baton:timers:{old}:3", StringCodec.INSTANCE)
            .add(1000, "r-1/a/1/retry");
        redis.getMap("baton:timers:{old}:3:data", StringCodec.INSTANCE).put("r-1/a/1/retry", timer);
        redis.getAtomicLong("baton:epoch:{old}:3").set(41);

        long epoch = runs.claimPartition(3);

        assertEquals(42, epoch, "epochs keep rising across the move");
        List<dev.baton.events.TimerFired> due =
            runs.leaseDueTimers(3, Instant.ofEpochMilli(2000), 10, Duration.ofSeconds(5));
        assertEquals(1, due.size());
        assertEquals("r-1/a/1/retry", due.get(0).getEventId());
        assertTrue(redis.getKeys().countExists("baton:timers:{old}:3", "baton:epoch:{old}:3") == 0);
      } finally {
        redis.shutdown();
      }
    }
  }
}
