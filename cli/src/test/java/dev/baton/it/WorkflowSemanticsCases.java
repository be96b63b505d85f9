package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.JobState;
import dev.baton.engine.decide.JobStatus;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * DAGs, fan-out, retries, timeouts, cancel, rerun and the concurrency limit over a real broker,
 * Redis and processes: {@link WorkflowSemanticsIT} on one Redis server, {@link
 * WorkflowSemanticsClusterIT} on a Redis Cluster.
 */
abstract class WorkflowSemanticsCases {
  static BatonHarness baton;

  /** Not a static @TempDir: a subclass runs these tests again, each class with its own. */
  static Path work;

  static void startBaton(String prefix, String redisUrl) throws Exception {
    work = Files.createTempDirectory("baton-" + prefix);
    baton = new BatonHarness(prefix, work, Path.of("../templates"), 8, redisUrl);
    baton.apply(
        "gated-limit.yaml",
        """
        name: gated-limit
        version: 1
        maxConcurrentRuns: 2
        params:
          gate: {required: true}
        jobs:
          - name: wait
            command: [sh, -c, 'while [ ! -f "$gate" ]; do sleep 0.05; done']
        """);
    baton.apply(
        "two-sleepers.yaml",
        """
        name: two-sleepers
        version: 1
        jobs:
          - {name: one, command: [sleep, "60"]}
          - {name: two, command: [sleep, "60"], dependsOn: []}
          - {name: after, command: ["true"], dependsOn: [one, two]}
        """);
    baton.apply(
        "fix-me.yaml",
        """
        name: fix-me
        version: 1
        params:
          flag: {required: true}
        jobs:
          - name: prepare
            command: [sh, -c, 'echo "token=abc" >> "$BATON_OUTPUTS"']
            outputs: [token]
          - name: check
            command: [sh, -c, 'test -f "$flag" || { echo "flag $flag missing" >&2; exit 4; }']
          - name: finish
            command: [echo, "${jobs.prepare.outputs.token}"]
        """);
    baton.apply(
        "slow-retry.yaml",
        """
        name: slow-retry
        version: 1
        jobs:
          - name: flaky
            command: [sh, -c, '[ "$BATON_ATTEMPT" -ge 2 ] || exit 75']
            retry: {limit: 2, backoff: {initial: 4s}}
        """);
  }

  @AfterAll
  static void stopBaton() throws Exception {
    baton.close();
    try (var files = Files.walk(work)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  @Test
  void diamondRunsItsTwoMiddleJobsAtTheSameTime() throws Exception {
    baton.trigger("dia-1", "diamond", Map.of("seconds", "1"));
    RunState run = baton.awaitEnd("dia-1");
    assertEquals(RunStatus.SUCCEEDED, run.status());
    JobState left = run.job("left");
    JobState right = run.job("right");
    assertTrue(
        left.startedAt().isBefore(right.endedAt()) && right.startedAt().isBefore(left.endedAt()),
        "left "
            + left.startedAt()
            + ".."
            + left.endedAt()
            + " and right "
            + right.startedAt()
            + ".."
            + right.endedAt()
            + " overlap");
    assertTrue(
        run.job("join").startedAt().isAfter(left.endedAt())
            && run.job("join").startedAt().isAfter(right.endedAt()));
  }

  @Test
  void thousandItemFanOutCompletesWithTheRightAggregatedOutputs() throws Exception {
    baton.trigger("fan-1k", "fan-out", Map.of("count", "1000"));
    RunState run = baton.awaitEnd("fan-1k");
    assertEquals(RunStatus.SUCCEEDED, run.status(), run.detail());
    assertEquals(1000, run.job("square").items());
    assertEquals(1000, run.job("square").itemsDone());
    String squares = run.job("square").outputs().get("square");
    assertTrue(squares.startsWith("[\"0\",\"1\",\"4\",\"9\","), squares.substring(0, 40));
    assertTrue(squares.endsWith(",\"998001\"]"));
    assertEquals("332833500", run.job("total").outputs().get("total"));
  }

  @Test
  void retryBackoffSurvivesAnEngineRestart() throws Exception {
    baton.trigger("restart-1", "slow-retry", Map.of());
    baton.awaitEvent("restart-1", RunEventType.JOB_RETRYING, "flaky");
    long before = System.currentTimeMillis();
    baton.restartEngine();
    RunState run = baton.awaitEnd("restart-1");
    assertEquals(RunStatus.SUCCEEDED, run.status(), run.detail());
    assertEquals(2, run.job("flaky").attempt());
    RunEvent second =
        baton.eventsOf("restart-1").stream()
            .filter(e -> e.getType() == RunEventType.JOB_DISPATCHED && e.getAttempt() == 2)
            .findFirst()
            .orElseThrow();
    assertTrue(
        second.getOccurredAt().toEpochMilli() >= before,
        "attempt 2 was dispatched by the restarted engine");
  }

  @Test
  void jobThatOverrunsItsTimeoutIsKilledAndFailsTheRun() throws Exception {
    baton.trigger("to-1", "timeout", Map.of());
    RunState run = baton.awaitEnd("to-1");
    assertEquals(RunStatus.FAILED, run.status());
    assertEquals(JobStatus.FAILED, run.job("hang").status());
    assertTrue(run.job("hang").error().startsWith("timed out"), run.job("hang").error());
    long took =
        run.job("hang").endedAt().toEpochMilli() - run.job("hang").startedAt().toEpochMilli();
    assertTrue(
        took < 10_000, "killed after its 1 s timeout, not after sleeping 30 s: " + took + " ms");
  }

  @Test
  void cancelWhileTwoJobsRunStopsTheirProcesses() throws Exception {
    baton.trigger("cancel-1", "two-sleepers", Map.of());
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                baton
                    .runtime
                    .pids()
                    .keySet()
                    .containsAll(List.of("cancel-1/one/1", "cancel-1/two/1")));
    Map<String, Long> pids = baton.runtime.pids();
    StringWriter out = new StringWriter();
    assertEquals(0, baton.cli(out, "cancel", "cancel-1", "--reason", "test"), out.toString());
    RunState run = baton.awaitEnd("cancel-1");
    assertEquals(RunStatus.CANCELLED, run.status());
    assertEquals(JobStatus.CANCELLED, run.job("one").status());
    assertEquals(JobStatus.PENDING, run.job("after").status());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                pids.values().stream()
                    .noneMatch(
                        pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
  }

  @Test
  void rerunStartsFromTheFailedJobAndKeepsWhatSucceeded() throws Exception {
    Path flag = work.resolve("flag-rerun");
    baton.trigger("rerun-1", "fix-me", Map.of("flag", flag.toString()));
    RunState failed = baton.awaitEnd("rerun-1");
    assertEquals(RunStatus.FAILED, failed.status());
    assertEquals(4, failed.job("check").exitCode());
    Files.createFile(flag);
    StringWriter out = new StringWriter();
    assertEquals(0, baton.cli(out, "retry", "rerun-1"), out.toString());
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                baton.engine.runs().find("rerun-1").orElseThrow().status() == RunStatus.SUCCEEDED);
    RunState run = baton.engine.runs().find("rerun-1").orElseThrow();
    assertEquals(1, run.job("prepare").attempt());
    assertEquals(2, run.job("check").attempt());
    baton.awaitEvent("rerun-1", RunEventType.RUN_SUCCEEDED, null);
    assertEquals(1, baton.count("rerun-1", RunEventType.JOB_DISPATCHED, "prepare"));
    assertEquals(
        List.of("echo", "abc"), List.of("echo", run.job("prepare").outputs().get("token")));
  }

  @Test
  void concurrencyLimitQueuesAThirdRunBehindTwo() throws Exception {
    Path[] gates = {work.resolve("gate-1"), work.resolve("gate-2"), work.resolve("gate-3")};
    for (int i = 0; i < 3; i++) {
      String runId = "lim-" + (i + 1);
      baton.trigger(runId, "gated-limit", Map.of("gate", gates[i].toString()));
      baton.awaitEvent(
          runId, RunEventType.RUN_QUEUED, null); // arrival order is the order they were queued
    }
    baton.awaitEvent("lim-1", RunEventType.RUN_STARTED, null);
    baton.awaitEvent("lim-2", RunEventType.RUN_STARTED, null);
    assertEquals(RunStatus.QUEUED, baton.engine.runs().find("lim-3").orElseThrow().status());
    Files.createFile(gates[0]);
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("lim-1").status());
    baton.awaitEvent("lim-3", RunEventType.RUN_STARTED, null);
    assertTrue(
        baton
            .first("lim-3", RunEventType.RUN_STARTED, null)
            .getOccurredAt()
            .isAfter(
                baton
                    .first("lim-1", RunEventType.RUN_SUCCEEDED, null)
                    .getOccurredAt()
                    .minusMillis(1)));
    Files.createFile(gates[1]);
    Files.createFile(gates[2]);
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("lim-2").status());
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("lim-3").status());
  }
}
