package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.BatonCli;
import dev.baton.engine.decide.JobStatus;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.EventCodec;
import dev.baton.serde.RunIds;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole runs over a real KRaft broker, a real Redis server, the engine and the dispatcher with the
 * local process runtime: the flow of design.md, end to end.
 */
class EndToEndIT {
  static BatonHarness baton;
  @TempDir static Path work;

  @BeforeAll
  static void startBaton() throws Exception {
    baton = new BatonHarness("e2e", work, Path.of("../templates"), 4);
    baton.apply(
        "failing.yaml",
        """
        name: failing
        version: 1
        jobs:
          - name: prepare
            command: [sh, -c, 'echo "prepared=yes" >> "$BATON_OUTPUTS"']
            outputs: [prepared]
          - name: crunch
            command: [sh, -c, 'echo "reading input"; echo "about to fail" >&2; echo "disk full" >&2; exit 3']
          - name: never
            command: ["true"]
        """);
    baton.apply("gated.yaml", gated(1));
  }

  @AfterAll
  static void stopBaton() throws Exception {
    baton.close();
  }

  static String gated(int version) {
    return """
        name: gated
        version: %d
        params:
          gate: {required: true}
        jobs:
          - name: wait
            command: [sh, -c, 'while [ ! -f "$GATE" ]; do sleep 0.05; done']
            env: {GATE: "${params.gate}"}
          - name: report
            command: [sh, -c, 'echo "version=%d" >> "$BATON_OUTPUTS"']
            outputs: [version]
        """
        .formatted(version, version);
  }

  static void send(String topic, String key, String json) throws Exception {
    baton.send(topic, key, json);
  }

  static List<RunEvent> eventsOf(String runId) {
    return baton.eventsOf(runId);
  }

  static long count(String runId, RunEventType type, String job) {
    return baton.count(runId, type, job);
  }

  static RunState awaitEnd(String runId) {
    return baton.awaitEnd(runId);
  }

  static int cli(StringWriter out, String... args) {
    return baton.cli(out, args);
  }

  @Test
  void threeJobPipelineSucceedsWithOutputsPassedAlong() {
    StringWriter out = new StringWriter();
    int exit =
        cli(
            out,
            "run",
            "pipeline",
            "-p",
            "source=orders.csv",
            "-p",
            "multiplier=3",
            "--wait",
            "--run-id",
            "cli-1",
            "--timeout",
            "60s");
    String text = out.toString();
    assertEquals(0, exit, text);
    int extract = text.indexOf("extract      #1  succeeded  records=21");
    int transform = text.indexOf("transform    #1  succeeded  rows=63");
    int load = text.indexOf("load         #1  succeeded  summary=loaded 63 rows from orders.csv");
    assertTrue(extract >= 0 && extract < transform && transform < load, text);
    assertTrue(text.contains("run cli-1 SUCCEEDED"), text);

    StringWriter status = new StringWriter();
    assertEquals(
        0,
        BatonCli.execute(
            new String[] {"status", "cli-1", "--redis", baton.redisUrl},
            new PrintWriter(status, true),
            new PrintWriter(status, true)),
        status.toString());
    assertTrue(status.toString().contains("status    SUCCEEDED"), status.toString());
    assertTrue(status.toString().contains("rows = 63"), status.toString());
    assertTrue(
        status.toString().contains("summary = loaded 63 rows from orders.csv"), status.toString());

    StringWriter runs = new StringWriter();
    assertEquals(
        0,
        dev.baton.cli.BatonCli.execute(
            new String[] {
              "runs",
              "--redis",
              baton.redisUrl,
              "--application-id",
              "e2e-engine",
              "--template",
              "pipeline"
            },
            new java.io.PrintWriter(runs, true),
            new java.io.PrintWriter(runs, true)),
        runs.toString());
    assertTrue(
        runs.toString().contains("cli-1") && runs.toString().contains("SUCCEEDED"),
        runs.toString());

    StringWriter watch = new StringWriter();
    assertEquals(
        0,
        dev.baton.cli.BatonCli.execute(
            new String[] {"watch", "cli-1", "--live", "--redis", baton.redisUrl},
            new java.io.PrintWriter(watch, true),
            new java.io.PrintWriter(watch, true)),
        watch.toString());
    assertTrue(watch.toString().contains("SUCCEEDED  3/3 jobs done"), watch.toString());
    assertTrue(
        watch.toString().contains("transform        SUCCEEDED  attempt 1"), watch.toString());
  }

  @Test
  void failingJobFailsRunWithExitCodeAndStderrTail() throws Exception {
    send(baton.topics.triggers(), "fail-1", "{\"runId\":\"fail-1\",\"template\":\"failing\"}");
    RunState run = awaitEnd("fail-1");
    assertEquals(RunStatus.FAILED, run.status());
    assertEquals(JobStatus.SUCCEEDED, run.job("prepare").status());
    assertEquals(JobStatus.FAILED, run.job("crunch").status());
    assertEquals(3, run.job("crunch").exitCode());
    assertTrue(
        run.job("crunch").error().contains("about to fail\ndisk full"), run.job("crunch").error());
    assertEquals(JobStatus.PENDING, run.job("never").status());
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> count("fail-1", RunEventType.RUN_FAILED, null) == 1);
    RunEvent jobFailed =
        eventsOf("fail-1").stream()
            .filter(e -> e.getType() == RunEventType.JOB_FAILED)
            .findFirst()
            .orElseThrow();
    assertEquals(3, jobFailed.getExitCode());
    assertTrue(jobFailed.getDetail().contains("disk full"), jobFailed.getDetail());
    RunEvent runFailed =
        eventsOf("fail-1").stream()
            .filter(e -> e.getType() == RunEventType.RUN_FAILED)
            .findFirst()
            .orElseThrow();
    assertTrue(
        runFailed.getDetail().contains("job 'crunch' failed with exit code 3"),
        runFailed.getDetail());
    assertEquals(0, count("fail-1", RunEventType.JOB_DISPATCHED, "never"));
  }

  @Test
  void malformedTriggerGoesToDeadLetterTopicAndNextTriggerStillRuns() throws Exception {
    String broken = "{\"template\": \"hello\", \"params\": {";
    send(baton.topics.triggers(), "broken-1", broken);
    send(
        baton.topics.triggers(),
        "nosuch-1",
        "{\"runId\":\"nosuch-1\",\"template\":\"no-such-template\"}");
    send(
        baton.topics.triggers(),
        "good-1",
        "{\"runId\":\"good-1\",\"template\":\"hello\",\"params\":{\"name\":\"Ada\"}}");
    assertEquals(RunStatus.SUCCEEDED, awaitEnd("good-1").status());

    ConsumerRecord<byte[], byte[]> dead = awaitDeadLetter("broken-1");
    assertArrayEquals(broken.getBytes(StandardCharsets.UTF_8), dead.value());
    assertTrue(
        header(dead, DeadLetters.REASON).contains("not valid JSON"),
        header(dead, DeadLetters.REASON));
    assertEquals(baton.topics.triggers(), header(dead, DeadLetters.SOURCE_TOPIC));
    Long.parseLong(header(dead, DeadLetters.SOURCE_OFFSET));

    ConsumerRecord<byte[], byte[]> unknown = awaitDeadLetter("nosuch-1");
    assertTrue(
        header(unknown, DeadLetters.REASON).contains("unknown template 'no-such-template'"),
        header(unknown, DeadLetters.REASON));
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> count("nosuch-1", RunEventType.REJECTED, null) == 1);
  }

  @Test
  void completionForUnknownRunGoesToDeadLetterTopic() throws Exception {
    send(
        baton.topics.completions(),
        "ghost-1",
        "{\"runId\":\"ghost-1\",\"job\":\"x\",\"attempt\":1,\"status\":\"SUCCEEDED\","
            + "\"token\":\""
            + AttemptTokens.processDefault().forJob("ghost-1/x/1")
            + "\"}");
    ConsumerRecord<byte[], byte[]> dead = awaitDeadLetter("ghost-1");
    assertTrue(
        header(dead, DeadLetters.REASON).contains("no run 'ghost-1'"),
        header(dead, DeadLetters.REASON));
    assertEquals(baton.topics.completions(), header(dead, DeadLetters.SOURCE_TOPIC));
  }

  @Test
  void runWithAnIdempotencyKeyWaitsForItsRunAndARepeatShowsHowItEnded() {
    StringWriter first = new StringWriter();
    int exit =
        cli(first, "run", "hello", "-p", "name=Ada", "--idempotency-key", "cli-k1", "--wait");
    String runId = RunIds.forIdempotencyKey("cli-k1");
    assertEquals(0, exit, first.toString());
    assertTrue(first.toString().contains("run " + runId + " SUCCEEDED"), first.toString());
    StringWriter again = new StringWriter();
    exit = cli(again, "run", "hello", "-p", "name=Bo", "--idempotency-key", "cli-k1", "--wait");
    assertEquals(0, exit, again.toString());
    assertTrue(
        again.toString().contains("run " + runId + " exists (SUCCEEDED): this trigger started"),
        again.toString());
    assertEquals(1, count(runId, RunEventType.RUN_STARTED, null));
  }

  @Test
  void sameIdempotencyKeyTwiceStartsOneRun() throws Exception {
    long duplicatesBefore = baton.engine.counters().duplicates();
    String trigger =
        "{\"template\":\"hello\",\"idempotencyKey\":\"order-4711\",\"params\":{\"name\":\"Bo\"}}";
    send(baton.topics.triggers(), "a", trigger);
    send(
        baton.topics.triggers(),
        "b",
        trigger); // another key, maybe another partition: still the same run
    // The second trigger is recognised as the same run's and dropped...
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> baton.engine.counters().duplicates() > duplicatesBefore);
    // ...and the one run it started ends; its events are committed, so all of them are visible now.
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                baton.events.records().stream()
                    .map(r -> BatonHarness.EVENTS.decode(r.value()))
                    .anyMatch(
                        e ->
                            e.getType() == RunEventType.RUN_SUCCEEDED
                                && e.getRunId().equals(RunIds.forIdempotencyKey("order-4711"))));
    List<String> started =
        baton.events.records().stream()
            .map(r -> BatonHarness.EVENTS.decode(r.value()))
            .filter(
                e ->
                    e.getType() == RunEventType.RUN_STARTED
                        && e.getRunId().equals(RunIds.forIdempotencyKey("order-4711")))
            .map(RunEvent::getRunId)
            .toList();
    assertEquals(1, started.size(), started.toString());
    assertEquals(RunStatus.SUCCEEDED, awaitEnd(started.get(0)).status());
    assertEquals(1, count(started.get(0), RunEventType.RUN_STARTED, null));
  }

  @Test
  void completionDeliveredTwiceIsAppliedOnce() throws Exception {
    send(
        baton.topics.triggers(),
        "dup-1",
        "{\"runId\":\"dup-1\",\"template\":\"pipeline\",\"params\":{\"source\":\"d.csv\"}}");
    RunState done = awaitEnd("dup-1");
    assertEquals(RunStatus.SUCCEEDED, done.status());
    // Events of one run share a partition: once the last is read, all earlier ones are.
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> count("dup-1", RunEventType.RUN_SUCCEEDED, null) == 1);
    long duplicatesBefore = baton.engine.counters().duplicates();
    JobCompletion again =
        JobCompletion.newBuilder()
            .setRunId("dup-1")
            .setJob("extract")
            .setAttempt(1)
            .setStatus(CompletionStatus.SUCCEEDED)
            .setExitCode(0)
            .setOutputs(Map.of("records", "999"))
            .setOccurredAt(Instant.now())
            .setToken(AttemptTokens.processDefault().forJob("dup-1/extract/1"))
            .build();
    send(
        baton.topics.completions(),
        "dup-1",
        new String(EventCodec.of(JobCompletion.class).encode(again), StandardCharsets.UTF_8));
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> baton.engine.counters().duplicates() > duplicatesBefore);
    assertEquals(done, baton.engine.runs().find("dup-1").orElseThrow());
    assertEquals(1, count("dup-1", RunEventType.JOB_SUCCEEDED, "extract"));
    assertEquals(1, count("dup-1", RunEventType.JOB_DISPATCHED, "transform"));
  }

  @Test
  void forgedCompletionIsDeadLetteredWhileTheRealJobGoesOnAndItsReportIsApplied() throws Exception {
    Path gate = work.resolve("gate-forge-1");
    send(
        baton.topics.triggers(),
        "forge-1",
        "{\"runId\":\"forge-1\",\"template\":\"gated\",\"params\":{\"gate\":\"" + gate + "\"}}");
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> count("forge-1", RunEventType.JOB_DISPATCHED, "wait") == 1);
    String forged =
        "{\"runId\":\"forge-1\",\"job\":\"wait\",\"attempt\":1,\"status\":\"SUCCEEDED\",\"outputs\":{\"forged\":\"yes\"}";
    send(baton.topics.completions(), "forge-1", forged + "}");
    send(
        baton.topics.completions(),
        "f",
        forged + ",\"token\":\"" + AttemptTokens.processDefault().forJob("forge-0/wait/1") + "\"}");
    send(
        baton.topics.completions(),
        "forge-1",
        forged + ",\"token\":\"" + AttemptTokens.random().forJob("forge-1/wait/1") + "\"}");
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                baton.deadLetters.records().stream()
                        .filter(
                            r ->
                                header(r, DeadLetters.REASON)
                                    .startsWith("refused completion for forge-1/wait/1"))
                        .count()
                    == 3);
    assertTrue(
        baton.deadLetters.records().stream()
            .map(r -> header(r, DeadLetters.REASON))
            .anyMatch(
                reason ->
                    reason.equals(
                        "refused completion for forge-1/wait/1 has no attempt token (only the job, with its "
                            + "BATON_ATTEMPT_TOKEN, and the dispatcher can report an attempt)")));
    assertEquals(
        3.0,
        baton
            .engine
            .counters()
            .registry()
            .get("baton.dead.letters")
            .tag("reason", "unsigned_completion")
            .counter()
            .count());
    assertEquals(0, count("forge-1", RunEventType.JOB_SUCCEEDED, "wait"));
    assertEquals(0, count("forge-1", RunEventType.JOB_DISPATCHED, "report"));

    Files.createFile(gate); // the real job ends and its dispatcher reports it
    RunState run = awaitEnd("forge-1");
    assertEquals(RunStatus.SUCCEEDED, run.status());
    assertEquals(Map.of(), run.job("wait").outputs());
    assertEquals(1, count("forge-1", RunEventType.JOB_SUCCEEDED, "wait"));
  }

  @Test
  void runStartedOnV1FinishesOnV1AfterV2IsApplied() throws Exception {
    Path gate = work.resolve("gate-pin-1");
    send(
        baton.topics.triggers(),
        "pin-1",
        "{\"runId\":\"pin-1\",\"template\":\"gated\",\"params\":{\"gate\":\"" + gate + "\"}}");
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> count("pin-1", RunEventType.JOB_DISPATCHED, "wait") == 1);
    baton.apply("gated.yaml", gated(2));
    Files.createFile(gate);
    RunState pinned = awaitEnd("pin-1");
    assertEquals(RunStatus.SUCCEEDED, pinned.status());
    assertEquals(1, pinned.templateVersion());
    assertEquals("1", pinned.job("report").outputs().get("version"));

    Path open = Files.createFile(work.resolve("gate-pin-2"));
    send(
        baton.topics.triggers(),
        "pin-2",
        "{\"runId\":\"pin-2\",\"template\":\"gated\",\"params\":{\"gate\":\"" + open + "\"}}");
    RunState latest = awaitEnd("pin-2");
    assertEquals(2, latest.templateVersion());
    assertEquals("2", latest.job("report").outputs().get("version"));
  }

  @Test
  void triggerFromKafkaConsoleProducerStartsRun() throws Exception {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process producerProcess =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classpath,
                "org.apache.kafka.tools.ConsoleProducer",
                "--bootstrap-server",
                baton.bootstrap,
                "--topic",
                baton.topics.triggers(),
                "--reader-property",
                "parse.key=true",
                "--reader-property",
                "key.separator=:")
            .redirectErrorStream(true)
            .start();
    producerProcess
        .getOutputStream()
        .write(
            "console-1:{\"runId\":\"console-1\",\"template\":\"hello\",\"params\":{\"name\":\"Ada\"}}\n"
                .getBytes(StandardCharsets.UTF_8));
    producerProcess.getOutputStream().close();
    assertTrue(producerProcess.waitFor(60, TimeUnit.SECONDS), "console producer did not exit");
    String output =
        new String(producerProcess.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, producerProcess.exitValue(), output);
    RunState run = awaitEnd("console-1");
    assertEquals(RunStatus.SUCCEEDED, run.status());
    assertEquals("Ada", run.params().get("name"));
  }

  @Test
  void triggerWithoutIdsGetsOneRunPerRecordEvenWithTheSameKey() throws Exception {
    String trigger = "{\"template\":\"hello\",\"params\":{\"name\":\"twice-with-key-k9\"}}";
    send(baton.topics.triggers(), "k9", trigger);
    send(baton.topics.triggers(), "k9", trigger);
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                baton.events.records().stream()
                        .map(r -> BatonHarness.EVENTS.decode(r.value()))
                        .filter(
                            e ->
                                e.getType() == RunEventType.RUN_SUCCEEDED
                                    && e.getRunId().startsWith("run-")
                                    && isTwiceWithKey(e.getRunId()))
                        .count()
                    >= 2);
  }

  /**
   * One of this test's own runs: its name parameter says so (other tests start "run-..." runs too).
   */
  static boolean isTwiceWithKey(String runId) {
    return baton
        .engine
        .runs()
        .find(runId)
        .map(r -> "twice-with-key-k9".equals(r.params().get("name")))
        .orElse(false);
  }

  static ConsumerRecord<byte[], byte[]> awaitDeadLetter(String key) {
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                baton.deadLetters.records().stream()
                    .anyMatch(
                        r ->
                            r.key() != null
                                && key.equals(new String(r.key(), StandardCharsets.UTF_8))));
    return baton.deadLetters.records().stream()
        .filter(r -> r.key() != null && key.equals(new String(r.key(), StandardCharsets.UTF_8)))
        .findFirst()
        .orElseThrow();
  }

  static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
