package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.dispatcher.JobRuntime;
import dev.baton.dispatcher.local.LocalProcessRuntime;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.serde.Wire;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every attempt is accounted for: a runtime whose start throws does not lose it (started on
 * redelivery, or reported FAILED); a job's timeout counts from its start, not from its wait for a
 * slot; an attempt no dispatcher starts is retried at its start timeout.
 */
class AttemptsIT {
  /**
   * Throws on the first start of each attempt whose run id starts with "flaky", always for
   * "broken".
   */
  static final class FailingStarts extends dev.baton.dispatcher.ForwardingRuntime {
    final Set<String> failedOnce = ConcurrentHashMap.newKeySet();

    FailingStarts(JobRuntime inner) {
      super(inner);
    }

    @Override
    public boolean start(JobDispatch dispatch, Consumer<JobCompletion> onEnd) {
      if (dispatch.getRunId().startsWith("broken")) {
        throw new IllegalStateException("the API server refused the pod (422)");
      }
      if (dispatch.getRunId().startsWith("flaky") && failedOnce.add(dispatch.getAttemptId())) {
        throw new IllegalStateException("the API server answered 500");
      }
      return super.start(dispatch, onEnd);
    }
  }

  static BatonHarness baton;
  static FailingStarts runtime;
  static LocalProcessRuntime processes;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    processes = new LocalProcessRuntime(work.resolve("jobs"), 4096);
    runtime = new FailingStarts(processes);
    baton = new BatonHarness("attempts", work, Path.of("../templates"), 4, runtime, Wire.json());
    baton.apply(
        "burst.yaml",
        """
        name: burst
        version: 1
        jobs:
          - {name: a, command: [sleep, "0.2"], timeout: 2s, retry: {limit: 2}}
          - {name: b, command: [sleep, "0.2"], timeout: 2s, retry: {limit: 2}}
          - {name: c, command: [sleep, "0.2"], timeout: 2s, retry: {limit: 2}}
        """);
    baton.applyGate();
    baton.apply(
        "orphan.yaml",
        """
        name: orphan
        version: 1
        jobs:
          - {name: a, command: ["true"], startTimeout: 3s, retry: {limit: 1, backoff: {initial: 100ms}}}
        """);
  }

  @AfterAll
  static void stop() throws Exception {
    baton.close();
  }

  @Test
  void startThatThrowsOnceRunsTheJobOnRedelivery() throws Exception {
    baton.trigger("flaky-1", "pipeline", Map.of("source", "s3://x"));
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("flaky-1").status());
    assertEquals(
        3,
        runtime.failedOnce.size(),
        "each of the three jobs failed to start once: " + runtime.failedOnce);
    assertTrue(
        runtime.failedOnce.stream().allMatch(id -> id.endsWith("/1")),
        "and ran as its first attempt: " + runtime.failedOnce);
  }

  @Test
  void startThatAlwaysThrowsIsReportedFailedWithTheRuntimesError() throws Exception {
    baton.trigger("broken-1", "hello", Map.of());
    var end = baton.awaitEnd("broken-1");
    assertEquals(RunStatus.FAILED, end.status());
    String error = end.jobs().values().iterator().next().error();
    assertTrue(
        error != null
            && error.contains("could not start the job after 3 tries")
            && error.contains("422"),
        error);
  }

  @Test
  void burstFarLargerThanTheSlotsSucceedsBecauseTimeoutsCountFromEachStart() throws Exception {
    // 450 attempts of 0.2 s on 4 slots: the last wait ~25 s for a slot, far past their 2 s timeout.
    int runs = 150;
    for (int i = 0; i < runs; i++) {
      baton.trigger("burst-" + i, "burst", Map.of());
    }
    for (int i = 0; i < runs; i++) {
      var end = baton.awaitEnd("burst-" + i);
      assertEquals(RunStatus.SUCCEEDED, end.status(), "burst-" + i + ": " + end.detail());
      for (var job : end.jobs().values()) {
        assertEquals(1, job.attempt(), "burst-" + i + " job " + job.name() + " needed no retry");
      }
    }
  }

  @Test
  void attemptWhoseDispatcherDiedBeforeStartingItIsRetriedAtItsStartTimeout() throws Exception {
    // As a dispatcher that claimed the attempt and died before starting it leaves things: the claim
    // is taken, so the redelivered dispatch is skipped, and nobody reports a start.
    try (redis.clients.jedis.Jedis jedis =
        new redis.clients.jedis.Jedis(java.net.URI.create(baton.redisUrl))) {
      jedis.set("baton:attempt:{orphan-1/a/1}", "started");
    }
    baton.trigger("orphan-1", "orphan", Map.of());
    var end = baton.awaitEnd("orphan-1");
    assertEquals(RunStatus.SUCCEEDED, end.status(), end.detail());
    assertEquals(2, end.job("a").attempt(), "the lost attempt was replaced by a second");
  }

  @Test
  void attemptOfARunThatEndedWhileItWaitedForASlotIsNeverStarted() throws Exception {
    Path gate = work.resolve("slots-gate");
    for (int i = 0; i < 4; i++) { // every slot taken
      baton.trigger("hog-" + i, "gate", Map.of("gate", gate.toString()));
      baton.awaitEvent("hog-" + i, dev.baton.events.RunEventType.JOB_DISPATCHED, "wait");
    }
    org.awaitility.Awaitility.await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> baton.dispatcher != null && runtime.running() == 4);
    baton.trigger("queued-1", "hello", Map.of());
    baton.awaitEvent("queued-1", dev.baton.events.RunEventType.JOB_DISPATCHED, null);
    java.io.StringWriter out = new java.io.StringWriter();
    assertEquals(0, baton.cli(out, "cancel", "queued-1"), out.toString());
    assertEquals(RunStatus.CANCELLED, baton.awaitEnd("queued-1").status());

    java.nio.file.Files.createFile(gate);
    for (int i = 0; i < 4; i++) {
      assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("hog-" + i).status());
    }
    org.awaitility.Awaitility.await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> withdrawn(baton) >= 1);
    long reports =
        new TopicReaderOnce(baton.bootstrap, baton.topics.completions())
            .values().stream()
                .filter(
                    v ->
                        new String(v, java.nio.charset.StandardCharsets.UTF_8)
                            .contains("\"runId\":\"queued-1\""))
                .count();
    assertEquals(
        0, reports, "the cancelled run's queued attempt never started, so nothing reported on it");
  }

  @Test
  void aStopIsCarriedOutAtOnceWhileEverySlotIsTakenAndStartsWait() throws Exception {
    Path gate = work.resolve("stop-gate");
    for (int i = 0; i < 4; i++) { // every slot taken
      baton.trigger("full-" + i, "gate", Map.of("gate", gate.toString()));
    }
    org.awaitility.Awaitility.await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                processes.pids().keySet().stream().filter(id -> id.startsWith("full-")).count()
                    == 4);
    baton.trigger("behind-1", "hello", Map.of()); // its start waits for a slot
    baton.awaitEvent("behind-1", dev.baton.events.RunEventType.JOB_DISPATCHED, null);

    java.io.StringWriter out = new java.io.StringWriter();
    assertEquals(0, baton.cli(out, "cancel", "full-0"), out.toString());
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(15))
        .until(() -> !processes.pids().containsKey("full-0/wait/1"));
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("behind-1").status(), "the freed slot ran it");

    java.nio.file.Files.createFile(gate);
    for (int i = 1; i < 4; i++) {
      assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("full-" + i).status());
    }
  }

  static double withdrawn(BatonHarness baton) {
    var c = baton.metrics.find("baton.dispatcher.dispatches").tag("action", "withdrawn").counter();
    return c == null ? 0 : c.count();
  }
}
