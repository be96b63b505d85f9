package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.BatonCli;
import dev.baton.cli.TemplatePublisher;
import dev.baton.dispatcher.Dispatcher;
import dev.baton.dispatcher.DispatcherConfig;
import dev.baton.dispatcher.local.LocalProcessRuntime;
import dev.baton.engine.Engine;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.decide.JobStatus;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.engine.template.Templates;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.EventCodec;
import dev.baton.serde.TopicAdmin;
import dev.baton.serde.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole runs over a real KRaft broker, a real Redis server, the engine and the dispatcher with
 * the local process runtime: the flow of design.md, end to end.
 */
class EndToEndIT {
  static final Topics TOPICS = Topics.withPrefix("e2e");
  static final EventCodec<RunEvent> EVENTS = EventCodec.of(RunEvent.class);
  static final Duration RUN_DEADLINE = Duration.ofSeconds(60);

  static String bootstrap;
  static String redisUrl;
  static Engine engine;
  static Dispatcher dispatcher;
  static TopicReader events;
  static TopicReader deadLetters;
  static KafkaProducer<byte[], byte[]> producer;
  @TempDir static Path work;

  @BeforeAll
  static void startBaton() throws Exception {
    bootstrap = SharedBroker.bootstrapServers();
    redisUrl = SharedBroker.redisUrl();
    TopicAdmin.ensureTopics(bootstrap, TOPICS, 3, (short) 1);
    TemplatePublisher.publish(bootstrap, TOPICS.templates(), TemplatePublisher.load(Path.of("../templates")));
    apply("failing.yaml", """
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
    apply("gated.yaml", gated(1));
    engine = new Engine(new EngineConfig(bootstrap, redisUrl, "e2e-engine", TOPICS, work.resolve("streams"),
        Duration.ofMillis(50), (short) 1, Duration.ofHours(1), 1000, Map.of())).start();
    dispatcher = new Dispatcher(DispatcherConfig.of(bootstrap, TOPICS).withGroupId("e2e-dispatcher"),
        new LocalProcessRuntime(work.resolve("jobs"), 4096)).start();
    assertTrue(engine.awaitRunning(Duration.ofSeconds(60)), "engine did not start");
    events = new TopicReader(bootstrap, TOPICS.events());
    deadLetters = new TopicReader(bootstrap, TOPICS.dlq());
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void stopBaton() throws Exception {
    producer.close();
    events.close();
    deadLetters.close();
    dispatcher.close();
    engine.close();
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
        """.formatted(version, version);
  }

  static void apply(String file, String yaml) throws Exception {
    TemplatePublisher.publish(bootstrap, TOPICS.templates(),
        List.of(new TemplatePublisher.Loaded(Path.of(file), Templates.parse(file, yaml), yaml)));
  }

  static void send(String topic, String key, String json) throws Exception {
    producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        json.getBytes(StandardCharsets.UTF_8))).get();
  }

  static List<RunEvent> eventsOf(String runId) {
    return events.records().stream()
        .filter(r -> r.key() != null && runId.equals(new String(r.key(), StandardCharsets.UTF_8)))
        .map(r -> EVENTS.decode(r.value())).toList();
  }

  static long count(String runId, RunEventType type, String job) {
    return eventsOf(runId).stream().filter(e -> e.getType() == type && (job == null || job.equals(e.getJob()))).count();
  }

  static RunState awaitEnd(String runId) {
    await().atMost(RUN_DEADLINE).until(() -> engine.runs().find(runId).map(s -> s.status().isFinal()).orElse(false));
    return engine.runs().find(runId).orElseThrow();
  }

  static int cli(StringWriter out, String... args) {
    String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
        java.util.stream.Stream.of("--bootstrap-server", bootstrap, "--topic-prefix", "e2e")).toArray(String[]::new);
    return BatonCli.execute(all, new PrintWriter(out, true), new PrintWriter(out, true));
  }

  @Test
  void threeJobPipelineSucceedsWithOutputsPassedAlong() {
    StringWriter out = new StringWriter();
    int exit = cli(out, "run", "pipeline", "-p", "source=orders.csv", "-p", "multiplier=3", "--wait", "--run-id", "cli-1", "--timeout", "60s");
    String text = out.toString();
    assertEquals(0, exit, text);
    int extract = text.indexOf("extract      #1  succeeded  records=21");
    int transform = text.indexOf("transform    #1  succeeded  rows=63");
    int load = text.indexOf("load         #1  succeeded  summary=loaded 63 rows from orders.csv");
    assertTrue(extract >= 0 && extract < transform && transform < load, text);
    assertTrue(text.contains("run cli-1 SUCCEEDED"), text);

    StringWriter status = new StringWriter();
    assertEquals(0, BatonCli.execute(new String[] {"status", "cli-1", "--redis", redisUrl},
        new PrintWriter(status, true), new PrintWriter(status, true)), status.toString());
    assertTrue(status.toString().contains("status    SUCCEEDED"), status.toString());
    assertTrue(status.toString().contains("rows = 63"), status.toString());
    assertTrue(status.toString().contains("summary = loaded 63 rows from orders.csv"), status.toString());
  }

  @Test
  void failingJobFailsRunWithExitCodeAndStderrTail() throws Exception {
    send(TOPICS.triggers(), "fail-1", "{\"runId\":\"fail-1\",\"template\":\"failing\"}");
    RunState run = awaitEnd("fail-1");
    assertEquals(RunStatus.FAILED, run.status());
    assertEquals(JobStatus.SUCCEEDED, run.job("prepare").status());
    assertEquals(JobStatus.FAILED, run.job("crunch").status());
    assertEquals(3, run.job("crunch").exitCode());
    assertTrue(run.job("crunch").error().contains("about to fail\ndisk full"), run.job("crunch").error());
    assertEquals(JobStatus.PENDING, run.job("never").status());
    await().atMost(RUN_DEADLINE).until(() -> count("fail-1", RunEventType.RUN_FAILED, null) == 1);
    RunEvent jobFailed = eventsOf("fail-1").stream().filter(e -> e.getType() == RunEventType.JOB_FAILED).findFirst().orElseThrow();
    assertEquals(3, jobFailed.getExitCode());
    assertTrue(jobFailed.getDetail().contains("disk full"), jobFailed.getDetail());
    RunEvent runFailed = eventsOf("fail-1").stream().filter(e -> e.getType() == RunEventType.RUN_FAILED).findFirst().orElseThrow();
    assertTrue(runFailed.getDetail().contains("job 'crunch' failed with exit code 3"), runFailed.getDetail());
    assertEquals(0, count("fail-1", RunEventType.JOB_DISPATCHED, "never"));
  }

  @Test
  void malformedTriggerGoesToDeadLetterTopicAndNextTriggerStillRuns() throws Exception {
    String broken = "{\"template\": \"hello\", \"params\": {";
    send(TOPICS.triggers(), "broken-1", broken);
    send(TOPICS.triggers(), "nosuch-1", "{\"runId\":\"nosuch-1\",\"template\":\"no-such-template\"}");
    send(TOPICS.triggers(), "good-1", "{\"runId\":\"good-1\",\"template\":\"hello\",\"params\":{\"name\":\"Ada\"}}");
    assertEquals(RunStatus.SUCCEEDED, awaitEnd("good-1").status());

    ConsumerRecord<byte[], byte[]> dead = awaitDeadLetter("broken-1");
    assertArrayEquals(broken.getBytes(StandardCharsets.UTF_8), dead.value());
    assertTrue(header(dead, DeadLetters.REASON).contains("not valid JSON"), header(dead, DeadLetters.REASON));
    assertEquals(TOPICS.triggers(), header(dead, DeadLetters.SOURCE_TOPIC));
    Long.parseLong(header(dead, DeadLetters.SOURCE_OFFSET));

    ConsumerRecord<byte[], byte[]> unknown = awaitDeadLetter("nosuch-1");
    assertTrue(header(unknown, DeadLetters.REASON).contains("unknown template 'no-such-template'"), header(unknown, DeadLetters.REASON));
    await().atMost(RUN_DEADLINE).until(() -> count("nosuch-1", RunEventType.REJECTED, null) == 1);
  }

  @Test
  void completionForUnknownRunGoesToDeadLetterTopic() throws Exception {
    send(TOPICS.completions(), "ghost-1", "{\"runId\":\"ghost-1\",\"job\":\"x\",\"attempt\":1,\"status\":\"SUCCEEDED\"}");
    ConsumerRecord<byte[], byte[]> dead = awaitDeadLetter("ghost-1");
    assertTrue(header(dead, DeadLetters.REASON).contains("no run 'ghost-1'"), header(dead, DeadLetters.REASON));
    assertEquals(TOPICS.completions(), header(dead, DeadLetters.SOURCE_TOPIC));
  }

  @Test
  void sameIdempotencyKeyTwiceStartsOneRun() throws Exception {
    long duplicatesBefore = engine.counters().duplicates();
    String trigger = "{\"template\":\"hello\",\"idempotencyKey\":\"order-4711\",\"params\":{\"name\":\"Bo\"}}";
    send(TOPICS.triggers(), "a", trigger);
    send(TOPICS.triggers(), "b", trigger); // another key, maybe another partition: still the same run
    // The second trigger is recognised as the same run's and dropped...
    await().atMost(RUN_DEADLINE).until(() -> engine.counters().duplicates() > duplicatesBefore);
    // ...and the one run it started ends; its events are committed, so all of them are visible now.
    await().atMost(RUN_DEADLINE).until(() -> events.records().stream().map(r -> EVENTS.decode(r.value()))
        .anyMatch(e -> e.getType() == RunEventType.RUN_SUCCEEDED && e.getRunId().startsWith("idem-")));
    List<String> started = events.records().stream().map(r -> EVENTS.decode(r.value()))
        .filter(e -> e.getType() == RunEventType.RUN_STARTED && e.getRunId().startsWith("idem-"))
        .map(RunEvent::getRunId).toList();
    assertEquals(1, started.size(), started.toString());
    assertEquals(RunStatus.SUCCEEDED, awaitEnd(started.get(0)).status());
    assertEquals(1, count(started.get(0), RunEventType.RUN_STARTED, null));
  }

  @Test
  void completionDeliveredTwiceIsAppliedOnce() throws Exception {
    send(TOPICS.triggers(), "dup-1", "{\"runId\":\"dup-1\",\"template\":\"pipeline\",\"params\":{\"source\":\"d.csv\"}}");
    RunState done = awaitEnd("dup-1");
    assertEquals(RunStatus.SUCCEEDED, done.status());
    // Events of one run share a partition: once the last is read, all earlier ones are.
    await().atMost(RUN_DEADLINE).until(() -> count("dup-1", RunEventType.RUN_SUCCEEDED, null) == 1);
    long duplicatesBefore = engine.counters().duplicates();
    JobCompletion again = JobCompletion.newBuilder().setRunId("dup-1").setJob("extract").setAttempt(1)
        .setStatus(CompletionStatus.SUCCEEDED).setExitCode(0).setOutputs(Map.of("records", "999")).setOccurredAt(Instant.now()).build();
    send(TOPICS.completions(), "dup-1", new String(EventCodec.of(JobCompletion.class).encode(again), StandardCharsets.UTF_8));
    await().atMost(RUN_DEADLINE).until(() -> engine.counters().duplicates() > duplicatesBefore);
    assertEquals(done, engine.runs().find("dup-1").orElseThrow());
    assertEquals(1, count("dup-1", RunEventType.JOB_SUCCEEDED, "extract"));
    assertEquals(1, count("dup-1", RunEventType.JOB_DISPATCHED, "transform"));
  }

  @Test
  void runStartedOnV1FinishesOnV1AfterV2IsApplied() throws Exception {
    Path gate = work.resolve("gate-pin-1");
    send(TOPICS.triggers(), "pin-1", "{\"runId\":\"pin-1\",\"template\":\"gated\",\"params\":{\"gate\":\"" + gate + "\"}}");
    await().atMost(RUN_DEADLINE).until(() -> count("pin-1", RunEventType.JOB_DISPATCHED, "wait") == 1);
    apply("gated.yaml", gated(2));
    Files.createFile(gate);
    RunState pinned = awaitEnd("pin-1");
    assertEquals(RunStatus.SUCCEEDED, pinned.status());
    assertEquals(1, pinned.templateVersion());
    assertEquals("1", pinned.job("report").outputs().get("version"));

    Path open = Files.createFile(work.resolve("gate-pin-2"));
    send(TOPICS.triggers(), "pin-2", "{\"runId\":\"pin-2\",\"template\":\"gated\",\"params\":{\"gate\":\"" + open + "\"}}");
    RunState latest = awaitEnd("pin-2");
    assertEquals(2, latest.templateVersion());
    assertEquals("2", latest.job("report").outputs().get("version"));
  }

  @Test
  void triggerFromKafkaConsoleProducerStartsRun() throws Exception {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process producerProcess = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath, "org.apache.kafka.tools.ConsoleProducer",
        "--bootstrap-server", bootstrap, "--topic", TOPICS.triggers(),
        "--reader-property", "parse.key=true", "--reader-property", "key.separator=:")
        .redirectErrorStream(true).start();
    producerProcess.getOutputStream().write(
        "console-1:{\"runId\":\"console-1\",\"template\":\"hello\",\"params\":{\"name\":\"Ada\"}}\n".getBytes(StandardCharsets.UTF_8));
    producerProcess.getOutputStream().close();
    assertTrue(producerProcess.waitFor(60, TimeUnit.SECONDS), "console producer did not exit");
    String output = new String(producerProcess.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, producerProcess.exitValue(), output);
    RunState run = awaitEnd("console-1");
    assertEquals(RunStatus.SUCCEEDED, run.status());
    assertEquals("Ada", run.params().get("name"));
  }

  @Test
  void triggerWithoutIdsGetsOneRunPerRecordEvenWithTheSameKey() throws Exception {
    String trigger = "{\"template\":\"hello\",\"params\":{\"name\":\"twice-with-key-k9\"}}";
    send(TOPICS.triggers(), "k9", trigger);
    send(TOPICS.triggers(), "k9", trigger);
    await().atMost(RUN_DEADLINE).until(() -> events.records().stream().map(r -> EVENTS.decode(r.value()))
        .filter(e -> e.getType() == RunEventType.RUN_SUCCEEDED && e.getRunId().startsWith("run-")).count() >= 2);
  }

  static ConsumerRecord<byte[], byte[]> awaitDeadLetter(String key) {
    await().atMost(RUN_DEADLINE).until(() -> deadLetters.records().stream()
        .anyMatch(r -> r.key() != null && key.equals(new String(r.key(), StandardCharsets.UTF_8))));
    return deadLetters.records().stream()
        .filter(r -> r.key() != null && key.equals(new String(r.key(), StandardCharsets.UTF_8))).findFirst().orElseThrow();
  }

  static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
