package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.JobState;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.engine.state.AppliedEvent;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.engine.state.RedisRunRepository;
import dev.baton.engine.state.StoredRun;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/** The Lua scripts of the run repository against a real Redis server. */
class RedisRunRepositoryIT {
  static RedisRunRepository runs;
  static RedissonClient redis;

  @BeforeAll
  static void connect() {
    runs = new RedisRunRepository(SharedBroker.redisUrl(), 3, Duration.ofSeconds(600));
    Config c = new Config();
    c.useSingleServer().setAddress(SharedBroker.redisUrl());
    c.setCodec(StringCodec.INSTANCE);
    redis = Redisson.create(c);
  }

  @AfterAll
  static void close() {
    runs.close();
    redis.shutdown();
  }

  static RunState state(String runId, RunStatus status) {
    Map<String, JobState> jobs = new LinkedHashMap<>();
    jobs.put("a", JobState.pending("a"));
    return new RunState(runId, "t", 1, status, Map.of("p", "v"), jobs, Instant.parse("2026-01-01T00:00:00Z"), null, null);
  }

  static AppliedEvent applied(long offset) {
    return new AppliedEvent("baton.completions", 2, offset,
        List.of(new OutboundRecord("baton.dispatch", "r", "{}".getBytes(StandardCharsets.UTF_8), Map.of("h", new byte[] {1}))));
  }

  @Test
  void saveIsACompareAndSetOnVersion() {
    assertTrue(runs.save("cas-1", 0, state("cas-1", RunStatus.RUNNING), "e1", applied(10)));
    assertFalse(runs.save("cas-1", 0, state("cas-1", RunStatus.FAILED), "e2", applied(11)), "stale version must lose");
    StoredRun stored = runs.load("cas-1", "e2");
    assertEquals(1, stored.version());
    assertEquals(RunStatus.RUNNING, stored.state().status());
    assertNull(stored.applied());
    assertTrue(runs.save("cas-1", 1, state("cas-1", RunStatus.FAILED), "e2", applied(11)));
    assertEquals(2, runs.load("cas-1", "x").version());
  }

  @Test
  void appliedEventKeepsItsRecordCoordinatesAndProducedRecords() {
    runs.save("ap-1", 0, state("ap-1", RunStatus.RUNNING), "e1", applied(42));
    AppliedEvent a = runs.load("ap-1", "e1").applied();
    assertTrue(a.sameRecord("baton.completions", 2, 42));
    assertFalse(a.sameRecord("baton.completions", 2, 43));
    assertEquals("{}", new String(a.produced().get(0).value(), StandardCharsets.UTF_8));
    assertEquals(1, a.produced().get(0).headers().get("h")[0]);
  }

  @Test
  void appliedIdsAreBoundedOldestFirst() {
    for (int i = 0; i < 5; i++) {
      runs.save("bound-1", i, state("bound-1", RunStatus.RUNNING), "e" + i, applied(i));
    }
    assertNull(runs.load("bound-1", "e0").applied());
    assertNull(runs.load("bound-1", "e1").applied());
    assertTrue(runs.load("bound-1", "e2").applied() != null && runs.load("bound-1", "e4").applied() != null);
    assertEquals(3, redis.getMap(RedisRunRepository.runKey("bound-1") + ":applied").size());
  }

  @Test
  void finishedRunExpiresAfterRetentionRunningRunDoesNot() {
    runs.save("exp-1", 0, state("exp-1", RunStatus.RUNNING), "e1", applied(1));
    assertEquals(-1, redis.getKeys().remainTimeToLive(RedisRunRepository.runKey("exp-1")));
    runs.save("exp-1", 1, state("exp-1", RunStatus.SUCCEEDED), "e2", applied(2));
    long ttl = redis.getKeys().remainTimeToLive(RedisRunRepository.runKey("exp-1"));
    assertTrue(ttl > 500_000 && ttl <= 600_000, "ttl " + ttl);
  }

  @Test
  void keysOfOneRunShareAHashTag() {
    runs.save("tag-1", 0, state("tag-1", RunStatus.RUNNING), "e1", applied(1));
    assertEquals(List.of("baton:run:{tag-1}", "baton:run:{tag-1}:applied", "baton:run:{tag-1}:applied-order"),
        redis.getKeys().getKeysStreamByPattern("baton:run:{tag-1}*").sorted().toList());
  }
}
