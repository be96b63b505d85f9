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
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;
import org.redisson.client.codec.StringCodec;

/**
 * The Lua scripts of the run repository against real Redis processes, started for each class:
 * {@link RedisRunRepositoryIT} on one server, {@link RedisRunRepositoryClusterIT} on a Redis
 * Cluster.
 */
abstract class RedisRunRepositoryCases {
  static AutoCloseable server;
  static RedisRunRepository runs;
  static RedissonClient redis;

  static int freePort() {
    try (ServerSocket free = new ServerSocket(0)) {
      return free.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void open(String url) {
    runs =
        new RedisRunRepository(
            dev.baton.redis.RedisSettings.of(url), "repo-it", 3, Duration.ofMinutes(10));
    redis = dev.baton.redis.RedisSettings.of(url).connect(1, 4);
  }

  @AfterAll
  static void close() throws Exception {
    runs.close();
    redis.shutdown();
    server.close();
  }

  /** Saves, and makes the follow-up of a written save, as the engine does. */
  static SaveResult saveAndFollowUp(SaveRequest request) {
    SaveResult result = runs.save(request);
    if (result == SaveResult.SAVED) {
      runs.followUp(List.of(request.followUp()));
    }
    return result;
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
        Map.of(),
        null,
        null,
        0);
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
                Map.of("h", new byte[] {1}))),
        null);
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
  void producedRecordsAreKeptForTheNewestEventsWithinAByteBudget() {
    int big = 3 * 1024 * 1024; // a fan-out instance's dispatch with large params
    for (int i = 0; i < 8; i++) {
      AppliedEvent a =
          new AppliedEvent(
              "baton.completions",
              0,
              i,
              List.of(new OutboundRecord("baton.dispatch", "r", new byte[big], Map.of())),
              null);
      save("budget-1", i, state("budget-1", RunStatus.RUNNING), "e" + i, a);
    }
    // Every applied record's coordinates stay (3 of them, the bound here); the produced records
    // of the newest only, within the budget.
    AppliedEvent newest = runs.load("budget-1", "e7").applied();
    assertEquals(big, newest.produced().get(0).value().length);
    AppliedEvent older = runs.load("budget-1", "e5").applied();
    assertTrue(older.sameRecord("baton.completions", 0, 5));
    long kept =
        redis
            .getMap(RedisRunRepository.runKey("budget-1"), StringCodec.INSTANCE)
            .entrySet()
            .stream()
            .filter(e -> e.getKey().toString().startsWith("produced:"))
            .mapToLong(e -> e.getValue().toString().length())
            .sum();
    assertTrue(kept <= SaveScript.PRODUCED_BUDGET_BYTES, kept + " bytes of produced records kept");
    assertTrue(
        redis.getList(RedisRunRepository.runKey("budget-1") + ":produced-order").size() <= 3);
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
        List.of(
            "baton:run:{tag-1}",
            "baton:run:{tag-1}:applied-order",
            "baton:run:{tag-1}:produced-order"),
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
            null,
            null,
            false));
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
            Map.of(),
            null,
            null,
            0);
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
    saveAndFollowUp(
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
    saveAndFollowUp(
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
      saveAndFollowUp(
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
    saveAndFollowUp(
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

  static SaveRequest fenceRequest(String runId, long version, String eventId, long epoch) {
    return new SaveRequest(
        runId,
        version,
        state(runId, RunStatus.RUNNING),
        false,
        Map.of(),
        eventId,
        applied(version + 1),
        List.of(
            TimerFired.newBuilder()
                .setEventId(runId + "/a/1/timeout")
                .setRunId(runId)
                .setKind(TimerKind.JOB_TIMEOUT)
                .setJob("a")
                .setAttempt(1)
                .setDueAt(Instant.parse("2026-01-01T00:00:10Z"))
                .build()),
        List.of(),
        9,
        SaveRequest.Admission.NONE,
        epoch);
  }

  @Test
  void aTaskThatLostItsPartitionCannotWriteWhatTheNewOwnerWrote() {
    long zombie = runs.claimPartition(9);
    long owner = runs.claimPartition(9);
    assertTrue(owner > zombie);
    assertEquals(SaveResult.SAVED, saveAndFollowUp(fenceRequest("fence-1", 0, "e1", owner)));
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            FencedException.class, () -> runs.save(fenceRequest("fence-1", 1, "e2", zombie)));
    assertTrue(e.getMessage().contains("partition 9 was claimed by a newer task"), e.getMessage());
    assertEquals(1, runs.load("fence-1", "e2").version(), "the zombie's save is not written");
    // A zombie's save of a run the owner has not written yet is written (the version guards it:
    // the owner reloads, and finds the event applied), but its timers are not.
    SaveRequest early = fenceRequest("fence-2", 0, "e1", zombie);
    assertEquals(SaveResult.SAVED, runs.save(early));
    var timers =
        org.junit.jupiter.api.Assertions.assertThrows(
            FencedException.class, () -> runs.followUp(List.of(early.followUp())));
    assertTrue(timers.getMessage().contains("its timers for run fence-2"), timers.getMessage());
    assertEquals(
        List.of("fence-1/a/1/timeout"),
        runs
            .leaseDueTimers(9, Instant.parse("2026-01-01T00:01:00Z"), 10, Duration.ofSeconds(5))
            .stream()
            .map(TimerFired::getEventId)
            .toList());
  }

  @Test
  void aFollowUpMadeAgainChangesNothingAndIsKeptWithTheAppliedEvent() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    runs.claimPartition(4);
    SaveRequest first =
        new SaveRequest(
            "again-1",
            0,
            state("again-1", RunStatus.QUEUED),
            false,
            Map.of(),
            "e1",
            applied(1),
            List.of(),
            List.of(),
            4,
            new SaveRequest.Admission(SaveRequest.Admission.Op.ENQUEUE, "again", 1),
            0);
    assertEquals(SaveResult.SAVED, saveAndFollowUp(first));
    FollowUp kept = runs.load("again-1", "e1").applied().followUp();
    assertEquals(first.followUp(), kept, "the re-emit path finds what to write again");
    runs.followUp(List.of(kept, kept));
    assertEquals(List.of("again-1"), runs.leaseAdmissions(now, Duration.ofSeconds(5)));
    assertEquals(
        List.of("again-1"),
        runs.recentRuns(1000).stream().filter(id -> id.startsWith("again-")).toList());
  }

  @Test
  void recentRunsAreMergedFromEveryPartitionNewestFirst() {
    for (int i = 0; i < 6; i++) {
      String id = "recent-" + i;
      runs.claimPartition(20 + i % 3);
      RunState s = state(id, RunStatus.RUNNING);
      s =
          new RunState(
              id,
              "t",
              1,
              RunStatus.RUNNING,
              Map.of(),
              s.jobs(),
              Instant.parse("2030-01-01T00:00:00Z").plusSeconds(i),
              null,
              null,
              null,
              null,
              false,
              Map.of(),
              null,
              null,
              0);
      assertEquals(
          SaveResult.SAVED,
          saveAndFollowUp(
              new SaveRequest(
                  id,
                  0,
                  s,
                  false,
                  Map.of(),
                  "e1",
                  applied(1),
                  List.of(),
                  List.of(),
                  20 + i % 3,
                  SaveRequest.Admission.NONE,
                  0)));
    }
    assertEquals(List.of("recent-5", "recent-4", "recent-3"), runs.recentRuns(3));
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

  static SaveRequest request(String runId, long version, RunStatus status, String eventId) {
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
