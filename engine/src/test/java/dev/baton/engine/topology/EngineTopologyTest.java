package dev.baton.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.apply.EngineCounters;
import dev.baton.engine.decide.JobStatus;
import dev.baton.engine.decide.RunStatus;
import dev.baton.engine.state.AppliedEvent;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.events.JobDispatch;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.EventCodec;
import dev.baton.serde.Topics;
import dev.baton.template.StoredTemplate;
import dev.baton.template.Templates;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The topology driven record by record (TopologyTestDriver) over an in-memory repository. */
class EngineTopologyTest {
  static final Topics TOPICS = Topics.defaults();
  static final String YAML =
      """
      name: two
      version: 1
      jobs:
        - name: first
          command: [echo, one]
          outputs: [n]
        - name: second
          command: [echo, "${jobs.first.outputs.n}"]
      """;

  InMemoryRunRepository runs;
  EngineCounters counters;
  TopologyTestDriver driver;
  TestInputTopic<String, String> triggers;
  TestInputTopic<String, String> completions;
  TestOutputTopic<String, String> dispatch;
  TestOutputTopic<String, String> events;
  TestOutputTopic<String, String> dlq;

  @BeforeEach
  void start() throws Exception {
    runs = new InMemoryRunRepository();
    counters = new EngineCounters();
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(EngineTopology.wiring(TOPICS, runs, counters).build(), props);
    var templates =
        driver.createInputTopic(
            TOPICS.templates(), Serdes.String().serializer(), Serdes.String().serializer());
    String stored =
        StoredTemplate.of(Templates.parse("two.yaml", YAML), YAML, "test", java.time.Instant.EPOCH)
            .toJson();
    templates.pipeInput("two@1", stored);
    templates.pipeInput("two", stored);
    triggers =
        driver.createInputTopic(
            TOPICS.triggers(), Serdes.String().serializer(), Serdes.String().serializer());
    completions =
        driver.createInputTopic(
            TOPICS.completions(), Serdes.String().serializer(), Serdes.String().serializer());
    dispatch =
        driver.createOutputTopic(
            TOPICS.dispatch(), Serdes.String().deserializer(), Serdes.String().deserializer());
    events =
        driver.createOutputTopic(
            TOPICS.events(), Serdes.String().deserializer(), Serdes.String().deserializer());
    dlq =
        driver.createOutputTopic(
            TOPICS.dlq(), Serdes.String().deserializer(), Serdes.String().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  static String completion(String runId, String job, String outputs) {
    return "{\"runId\":\""
        + runId
        + "\",\"job\":\""
        + job
        + "\",\"attempt\":1,\"status\":\"SUCCEEDED\",\"exitCode\":0,\"outputs\":"
        + outputs
        + ",\"token\":\""
        + AttemptTokens.processDefault().forJob(runId + "/" + job + "/1")
        + "\"}";
  }

  static List<RunEventType> types(List<String> values) {
    return values.stream()
        .map(
            v -> EventCodec.of(RunEvent.class).decode(v.getBytes(StandardCharsets.UTF_8)).getType())
        .toList();
  }

  @Test
  void triggerIsKeyedByRunIdAndDispatchesFirstJob() {
    triggers.pipeInput("any-key", "{\"runId\":\"r1\",\"template\":\"two\"}");
    var out = dispatch.readKeyValuesToList();
    assertEquals(1, out.size());
    assertEquals("r1", out.get(0).key);
    JobDispatch d =
        EventCodec.of(JobDispatch.class).decode(out.get(0).value.getBytes(StandardCharsets.UTF_8));
    assertEquals("r1/first/1", d.getAttemptId());
    assertEquals(
        List.of(RunEventType.RUN_STARTED, RunEventType.JOB_DISPATCHED),
        types(events.readValuesToList()));
  }

  @Test
  void unreadableTriggerIsDeadLetteredWithReasonAndOriginalKey() {
    triggers.pipeInput("k1", "not json");
    TestRecord<String, String> dead = dlq.readRecord();
    assertEquals("k1", dead.key());
    assertEquals("not json", dead.value());
    String reason =
        new String(dead.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
    assertTrue(
        reason.startsWith("invalid trigger: neither JSON nor Confluent-framed Avro"), reason);
    assertEquals(
        TOPICS.triggers(),
        new String(
            dead.headers().lastHeader(DeadLetters.SOURCE_TOPIC).value(), StandardCharsets.UTF_8));
    assertEquals(0, runs.saves);
  }

  @Test
  void recordThatAppliedBeforeItsTransactionAbortedReEmitsWhatItProduced() {
    triggers.pipeInput("r1", "{\"runId\":\"r1\",\"template\":\"two\"}");
    dispatch.readValuesToList();
    events.readValuesToList();
    // As if completions@0 had been applied and saved, then its Kafka transaction aborted.
    OutboundRecord recorded =
        new OutboundRecord(
            TOPICS.dispatch(), "r1", "recorded".getBytes(StandardCharsets.UTF_8), Map.of());
    // What it wrote beyond the run (a timer), kept with the epoch of the task that applied it.
    dev.baton.engine.state.FollowUp kept =
        new dev.baton.engine.state.FollowUp(
            "r1",
            0,
            0,
            List.of(
                new String(
                    dev.baton.serde.EventCodec.of(dev.baton.events.TimerFired.class)
                        .encode(
                            dev.baton.events.TimerFired.newBuilder()
                                .setEventId("r1/second/1/timeout")
                                .setRunId("r1")
                                .setKind(dev.baton.events.TimerKind.JOB_TIMEOUT)
                                .setJob("second")
                                .setAttempt(1)
                                .setDueAt(java.time.Instant.parse("2030-01-01T00:00:00Z"))
                                .build()),
                    StandardCharsets.UTF_8)),
            List.of(),
            dev.baton.engine.state.SaveRequest.Admission.NONE,
            0,
            List.of(),
            null);
    runs.applied.put(
        "r1|r1/first/1", new AppliedEvent(TOPICS.completions(), 0, 0, List.of(recorded), kept));
    int savesBefore = runs.saves;
    runs.followedUp.clear();
    completions.pipeInput("r1", completion("r1", "first", "{\"n\":\"1\"}"));
    assertEquals(List.of("recorded"), dispatch.readValuesToList());
    assertEquals(savesBefore, runs.saves);
    assertEquals(1, counters.reemitted());
    assertEquals(1, runs.followedUp.size(), "its follow-up is written again");
    assertEquals(
        runs.epochs.get(0),
        runs.followedUp.get(0).epoch(),
        "under this task's claim, not the first writer's");
    assertTrue(runs.timers.containsKey("r1/second/1/timeout"));
  }

  @Test
  void completionWithoutItsAttemptsTokenIsDeadLetteredCountedAndNeverApplied() {
    triggers.pipeInput("r1", "{\"runId\":\"r1\",\"template\":\"two\"}");
    dispatch.readValuesToList();
    events.readValuesToList();
    String unsigned =
        "{\"runId\":\"r1\",\"job\":\"first\",\"attempt\":1,\"status\":\"SUCCEEDED\",\"outputs\":{\"n\":\"forged\"}}";
    String otherAttempts =
        unsigned.replace(
            "}}", "},\"token\":\"" + AttemptTokens.processDefault().forJob("r2/first/1") + "\"}");
    String otherKeys =
        unsigned.replace(
            "}}", "},\"token\":\"" + AttemptTokens.random().forJob("r1/first/1") + "\"}");
    completions.pipeInput("r1", unsigned);
    completions.pipeInput("r1", otherAttempts);
    completions.pipeInput("r1", otherKeys);

    List<String> reasons =
        dlq.readRecordsToList().stream()
            .map(
                r ->
                    new String(
                        r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8))
            .toList();
    assertEquals(3, reasons.size());
    assertTrue(
        reasons.get(0).startsWith("refused completion for r1/first/1 has no attempt token"),
        reasons.get(0));
    assertTrue(
        reasons.get(1).startsWith("refused completion for r1/first/1 has a wrong attempt token"),
        reasons.get(1));
    assertTrue(
        reasons.get(2).startsWith("refused completion for r1/first/1 has a wrong attempt token"),
        reasons.get(2));
    assertEquals(
        3.0,
        counters
            .registry()
            .get("baton.dead.letters")
            .tag("reason", "unsigned_completion")
            .counter()
            .count());
    assertTrue(dispatch.isEmpty());
    assertTrue(events.isEmpty());
    assertEquals(JobStatus.RUNNING, runs.states.get("r1").job("first").status());

    // The job's own report, and the dispatcher's, still apply.
    completions.pipeInput("r1", completion("r1", "first", "{\"n\":\"real\"}"));
    assertEquals("real", runs.states.get("r1").job("first").outputs().get("n"));
    JobDispatch second =
        EventCodec.of(JobDispatch.class)
            .decode(dispatch.readValuesToList().get(0).getBytes(StandardCharsets.UTF_8));
    String byDispatcher =
        "{\"runId\":\"r1\",\"job\":\"second\",\"attempt\":1,\"status\":\"SUCCEEDED\",\"token\":\""
            + AttemptTokens.processDefault().forDispatcher(second.getAttemptId())
            + "\"}";
    completions.pipeInput("r1", byDispatcher);
    assertEquals(RunStatus.SUCCEEDED, runs.states.get("r1").status());
  }

  @Test
  void sameEventFromAnotherRecordIsADuplicateAndEmitsNothing() {
    triggers.pipeInput("r1", "{\"runId\":\"r1\",\"template\":\"two\"}");
    completions.pipeInput("r1", completion("r1", "first", "{\"n\":\"7\"}"));
    assertEquals(2, dispatch.readValuesToList().size());
    events.readValuesToList();
    completions.pipeInput("r1", completion("r1", "first", "{\"n\":\"8\"}"));
    assertTrue(dispatch.isEmpty());
    assertTrue(events.isEmpty());
    assertEquals(1, counters.duplicates());
    assertEquals("7", runs.states.get("r1").job("first").outputs().get("n"));
  }

  @Test
  void versionConflictReloadsAndDecidesAgain() {
    runs.conflictsToSimulate = 2;
    triggers.pipeInput("r1", "{\"runId\":\"r1\",\"template\":\"two\"}");
    assertEquals(1, dispatch.readValuesToList().size());
    assertEquals(2, counters.casConflicts());
    assertEquals(JobStatus.RUNNING, runs.states.get("r1").job("first").status());
  }
}
