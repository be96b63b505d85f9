package dev.baton.engine.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.JobState;
import dev.baton.engine.decide.JobStatus;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.TimerFired;
import dev.baton.events.TimerKind;
import dev.baton.redis.RedisServerProcess;
import java.io.IOException;
import java.net.ServerSocket;
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
import org.redisson.api.options.KeysScanOptions;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/** The Lua scripts of the run repository against a real Redis server, started for this class. */
class RedisRunRepositoryIT {
  static RedisServerProcess server;
  static RedisRunRepository runs;
  static RedissonClient redis;

  @BeforeAll
  static void connect() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    server = RedisServerProcess.start(port);
    String url = "redis://127.0.0.1:" + port;
    runs =
        new RedisRunRepository(
            dev.baton.redis.RedisSettings.of(url), "repo-it", 3, Duration.ofMinutes(10));
    Config c = new Config();
    c.useSingleServer().setAddress(url);
    c.setCodec(StringCodec.INSTANCE);
    redis = Redisson.create(c);
  }

  @AfterAll
  static void close() {
    runs.close();
    redis.shutdown();
    server.close();
  }

  static RunState state(String runId, RunStatus status) {
    Map<String, JobState> jobs = new LinkedHashMap<>();
    jobs.put("a", JobState.pending("a"));
    return new RunState(
        runId,
        "t",
        1,
        status,
        Map.of("p", "v"),
        jobs,
        Instant.parse("2026-01-01T00:00:00Z"),
        null,
        null,
        null,
        null,
        false,
        Map.of());
  }

  static boolean save(
      String runId, long version, RunState state, String eventId, AppliedEvent applied) {
    return SaveResult.SAVED
        == runs.save(
            new SaveRequest(
                runId,
                version,
                state,
                true,
                Map.of(),
                eventId,
                applied,
                List.of(),
                List.of(),
                0,
                SaveRequest.Admission.NONE,
                0));
  }

  static AppliedEvent applied(long offset) {
    return new AppliedEvent(
        "baton.completions",
        2,
        offset,
        List.of(
            new OutboundRecord(
                "baton.dispatch",
                "r",
                "{}".getBytes(StandardCharsets.UTF_8),
                Map.of("h", new byte[] {1}))));
  }

  @Test
  void saveIsACompareAndSetOnVersion() {
    assertTrue(save("cas-1", 0, state("cas-1", RunStatus.RUNNING), "e1", applied(10)));
    assertFalse(
        save("cas-1", 0, state("cas-1", RunStatus.FAILED), "e2", applied(11)),
        "stale version must lose");
    StoredRun stored = runs.load("cas-1", "e2");
    assertEquals(1, stored.version());
    assertEquals(RunStatus.RUNNING, stored.state().status());
    assertNull(stored.applied());
    assertTrue(save("cas-1", 1, state("cas-1", RunStatus.FAILED), "e2", applied(11)));
    assertEquals(2, runs.load("cas-1", "x").version());
  }

  @Test
  void appliedEventKeepsItsRecordCoordinatesAndProducedRecords() {
    save("ap-1", 0, state("ap-1", RunStatus.RUNNING), "e1", applied(42));
    AppliedEvent a = runs.load("ap-1", "e1").applied();
    assertTrue(a.sameRecord("baton.completions", 2, 42));
    assertFalse(a.sameRecord("baton.completions", 2, 43));
    assertEquals("{}", new String(a.produced().get(0).value(), StandardCharsets.UTF_8));
    assertEquals(1, a.produced().get(0).headers().get("h")[0]);
  }

  @Test
  void appliedIdsAreBoundedOldestFirst() {
    for (int i = 0; i < 5; i++) {
      save("bound-1", i, state("bound-1", RunStatus.RUNNING), "e" + i, applied(i));
    }
    assertNull(runs.load("bound-1", "e0").applied());
    assertNull(runs.load("bound-1", "e1").applied());
    assertTrue(
        runs.load("bound-1", "e2").applied() != null
            && runs.load("bound-1", "e4").applied() != null);
    assertEquals(
        3,
        redis.getMap(RedisRunRepository.runKey("bound-1")).keySet().stream()
            .filter(k -> k.toString().startsWith("applied:"))
            .count());
    assertEquals(3, redis.getList(RedisRunRepository.runKey("bound-1") + ":applied-order").size());
  }

  @Test
  void finishedRunExpiresAfterRetentionRunningRunDoesNot() {
    save("exp-1", 0, state("exp-1", RunStatus.RUNNING), "e1", applied(1));
    assertEquals(-1, redis.getKeys().remainTimeToLive(RedisRunRepository.runKey("exp-1")));
    save("exp-1", 1, state("exp-1", RunStatus.SUCCEEDED), "e2", applied(2));
    long ttl = redis.getKeys().remainTimeToLive(RedisRunRepository.runKey("exp-1"));
    assertTrue(ttl > 500_000 && ttl <= 600_000, "ttl " + ttl);
  }

  @Test
  void keysOfOneRunShareAHashTag() {
    save("tag-1", 0, state("tag-1", RunStatus.RUNNING), "e1", applied(1));
    assertEquals(
        List.of("baton:run:{tag-1}", "baton:run:{tag-1}:applied-order"),
        redis
            .getKeys()
            .getKeysStream(KeysScanOptions.defaults().pattern("baton:run:{tag-1}*"))
            .sorted()
            .toList());
  }

  @Test
  void instancesAreWrittenOneByOneAndLoadedAsAsked() {
    Map<String, ItemState> items = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      items.put(
          "fan/" + i,
          new ItemState("fan", i, "v" + i, JobStatus.PENDING, 0, Map.of(), null, null, null));
    }
    assertEquals(
        SaveResult.SAVED,
        runs.save(
            new SaveRequest(
                "items-1",
                0,
                state("items-1", RunStatus.RUNNING),
                false,
                items,
                "e1",
                applied(1),
                List.of(),
                List.of(),
                0,
                SaveRequest.Admission.NONE,
                0)));
    Map<String, ItemState> some =
        runs.loadItems(
            "items-1",
            new Needs.ItemQuery(Map.of("fan", java.util.Set.of(1, 3)), java.util.Set.of()));
    assertEquals(java.util.Set.of("fan/1", "fan/3"), some.keySet());
    assertEquals("v3", some.get("fan/3").value());
    assertEquals(
        5,
        runs.loadItems("items-1", new Needs.ItemQuery(Map.of(), java.util.Set.of("fan"))).size());
  }

  @Test
  void jobOutputsAreStoredApartAndOnlyWhenTheyChange() {
    RunState s = state("out-1", RunStatus.RUNNING);
    Map<String, JobState> jobs = new LinkedHashMap<>(s.jobs());
    jobs.put(
        "a",
        new JobState(
            "a",
            JobStatus.SUCCEEDED,
            1,
            Map.of("big", "x".repeat(5000)),
            0,
            null,
            null,
            null,
            null,
            null,
            0,
            0,
            0,
            0,
            List.of(),
            null));
    RunState withOutputs =
        new RunState(
            "out-1",
            "t",
            1,
            RunStatus.RUNNING,
            Map.of(),
            jobs,
            s.createdAt(),
            null,
            null,
            null,
            null,
            false,
            Map.of());
    save("out-1", 0, withOutputs, "e1", applied(1));
    String document = redis.<String, String>getMap(RedisRunRepository.runKey("out-1")).get("state");
    assertTrue(document.length() < 1000, document);
    assertEquals(5000, runs.find("out-1").orElseThrow().job("a").outputs().get("big").length());
    runs.save(
        new SaveRequest(
            "out-1",
            1,
            withOutputs,
            false,
            Map.of(),
            "e2",
            applied(2),
            List.of(),
            List.of(),
            0,
            SaveRequest.Admission.NONE,
            0));
    assertEquals(
        5000,
        runs.load("out-1", "x").state().job("a").outputs().get("big").length(),
        "unchanged outputs are kept");
  }

  @Test
  void dueTimersAreLeasedNotRemovedUntilApplied() {
    Instant due = Instant.parse("2026-01-01T00:00:10Z");
    TimerFired timer =
        TimerFired.newBuilder()
            .setEventId("tm-1/a/1/retry")
            .setRunId("tm-1")
            .setKind(TimerKind.RETRY)
            .setJob("a")
            .setAttempt(1)
            .setDueAt(due)
            .build();
    runs.save(
        new SaveRequest(
            "tm-1",
            0,
            state("tm-1", RunStatus.RUNNING),
            false,
            Map.of(),
            "e1",
            applied(1),
            List.of(timer),
            List.of(),
            7,
            SaveRequest.Admission.NONE,
            0));
    assertEquals(List.of(), runs.leaseDueTimers(7, due.minusMillis(1), 10, Duration.ofSeconds(5)));
    assertEquals(List.of(timer), runs.leaseDueTimers(7, due, 10, Duration.ofSeconds(5)));
    assertEquals(
        List.of(), runs.leaseDueTimers(7, due.plusSeconds(1), 10, Duration.ofSeconds(5)), "leased");
    assertEquals(
        List.of(timer),
        runs.leaseDueTimers(7, due.plusSeconds(5), 10, Duration.ofSeconds(5)),
        "lease expired: fires again");
    runs.save(
        new SaveRequest(
            "tm-1",
            1,
            state("tm-1", RunStatus.RUNNING),
            false,
            Map.of(),
            timer.getEventId(),
            applied(2),
            List.of(),
            List.of(timer.getEventId()),
            7,
            SaveRequest.Admission.NONE,
            0));
    assertEquals(List.of(), runs.leaseDueTimers(7, due.plusSeconds(60), 10, Duration.ofSeconds(5)));
  }

  @Test
  void admissionsFollowArrivalOrderWithinTheLimit() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    for (String id : List.of("q-1", "q-2", "q-3")) {
      runs.save(
          new SaveRequest(
              id,
              0,
              state(id, RunStatus.QUEUED),
              false,
              Map.of(),
              "e",
              applied(1),
              List.of(),
              List.of(),
              0,
              new SaveRequest.Admission(SaveRequest.Admission.Op.ENQUEUE, "lim-it", 2),
              0));
    }
    assertEquals(List.of("q-1", "q-2"), runs.leaseAdmissions(now, Duration.ofSeconds(5)));
    runs.admitted("lim-it", "q-1");
    runs.admitted("lim-it", "q-2");
    assertEquals(List.of(), runs.leaseAdmissions(now.plusSeconds(10), Duration.ofSeconds(5)));
    runs.save(
        new SaveRequest(
            "q-1",
            1,
            state("q-1", RunStatus.SUCCEEDED),
            false,
            Map.of(),
            "end",
            applied(2),
            List.of(),
            List.of(),
            0,
            new SaveRequest.Admission(SaveRequest.Admission.Op.RELEASE, "lim-it", 0),
            0));
    assertEquals(List.of("q-3"), runs.leaseAdmissions(now.plusSeconds(20), Duration.ofSeconds(5)));
  }

  @Test
  void aTaskThatLostItsPartitionCannotWrite() {
    long zombie = runs.claimPartition(9);
    long owner = runs.claimPartition(9);
    assertTrue(owner > zombie);
    SaveRequest fromZombie =
        new SaveRequest(
            "fence-1",
            0,
            state("fence-1", RunStatus.RUNNING),
            false,
            Map.of(),
            "e1",
            applied(1),
            List.of(),
            List.of(),
            9,
            SaveRequest.Admission.NONE,
            zombie);
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            dev.baton.engine.state.FencedException.class, () -> runs.save(fromZombie));
    assertTrue(e.getMessage().contains("partition 9 was claimed by a newer task"), e.getMessage());
    assertNull(runs.find("fence-1").orElse(null));
    assertEquals(
        SaveResult.SAVED,
        runs.save(
            new SaveRequest(
                "fence-1",
                0,
                state("fence-1", RunStatus.RUNNING),
                false,
                Map.of(),
                "e1",
                applied(1),
                List.of(),
                List.of(),
                9,
                SaveRequest.Admission.NONE,
                owner)));
  }

  @Test
  void anEventIdAppliedBeforeIsNotAppliedAgainEvenAtTheRightVersion() {
    assertTrue(save("twice-1", 0, state("twice-1", RunStatus.RUNNING), "e1", applied(1)));
    assertEquals(
        SaveResult.ALREADY_APPLIED, runs.save(request("twice-1", 1, RunStatus.FAILED, "e1")));
    assertEquals(RunStatus.RUNNING, runs.find("twice-1").orElseThrow().status());
  }

  @Test
  void savesInOnePipelineApplyInOrderAndEachKeepsItsOwnResult() {
    List<SaveResult> results =
        runs.saveAll(
            List.of(
                request("pipe-1", 0, RunStatus.RUNNING, "e1"),
                request("pipe-1", 1, RunStatus.SUCCEEDED, "e2"),
                request("pipe-2", 5, RunStatus.RUNNING, "e1"),
                request("pipe-1", 2, RunStatus.FAILED, "e1")));
    assertEquals(
        List.of(
            SaveResult.SAVED, SaveResult.SAVED, SaveResult.CONFLICT, SaveResult.ALREADY_APPLIED),
        results);
    assertEquals(RunStatus.SUCCEEDED, runs.find("pipe-1").orElseThrow().status());
    assertEquals(2, runs.load("pipe-1", "e3").version());
    assertNull(runs.find("pipe-2").orElse(null));
  }

  private static SaveRequest request(String runId, long version, RunStatus status, String eventId) {
    return new SaveRequest(
        runId,
        version,
        state(runId, status),
        false,
        Map.of(),
        eventId,
        applied(version),
        List.of(),
        List.of(),
        0,
        SaveRequest.Admission.NONE,
        0);
  }
}
