package dev.baton.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.apply.EngineCounters;
import dev.baton.engine.apply.Outbounds;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.JobDispatch;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.EventCodec;
import dev.baton.serde.RunIds;
import dev.baton.serde.Topics;
import dev.baton.template.StoredTemplate;
import dev.baton.template.Templates;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The engine's production default, driven record by record: exactly_once_v2, each task's batch
 * applied when its input is drained (or by the commit hook), triggers on their run's partition
 * taken straight to the run processor and the others re-keyed through the repartition topic.
 */
class ExactlyOnceTopologyTest {
  static final Topics TOPICS = Topics.defaults();
  static final String YAML =
      """
      name: seq
      version: 1
      jobs:
        - name: a
          command: ["true"]
        - name: b
          command: ["true"]
        - name: c
          command: ["true"]
      """;

  InMemoryRunRepository runs = new InMemoryRunRepository();
  EngineCounters counters = new EngineCounters();
  TopologyTestDriver driver;
  TestInputTopic<String, String> triggers;
  TestInputTopic<String, String> completions;
  TestOutputTopic<String, String> dispatch;
  TestOutputTopic<String, String> events;
  TestInputTopic<String, String> templates;

  void start(Topology topology) throws Exception {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "exactly-once-topology-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    driver = new TopologyTestDriver(topology, props);
    templates =
        driver.createInputTopic(
            TOPICS.templates(), Serdes.String().serializer(), Serdes.String().serializer());
    store("seq", YAML);
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
  }

  void store(String name, String yaml) throws Exception {
    String stored =
        StoredTemplate.of(
                Templates.parse(name + ".yaml", yaml), yaml, "test", java.time.Instant.EPOCH)
            .toJson();
    templates.pipeInput(name + "@1", stored);
    templates.pipeInput(name, stored);
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  static String trigger(String runId) {
    return "{\"runId\":\"" + runId + "\",\"template\":\"seq\"}";
  }

  static String completion(String runId, String job) {
    return "{\"runId\":\""
        + runId
        + "\",\"job\":\""
        + job
        + "\",\"attempt\":1,\"status\":\"SUCCEEDED\",\"exitCode\":0,\"token\":\""
        + AttemptTokens.processDefault().forJob(runId + "/" + job + "/1")
        + "\"}";
  }

  List<String> dispatchedJobs() {
    return dispatch.readValuesToList().stream()
        .map(
            v ->
                EventCodec.of(JobDispatch.class)
                    .decode(v.getBytes(StandardCharsets.UTF_8))
                    .getJob())
        .toList();
  }

  List<RunEventType> eventTypes() {
    return events.readValuesToList().stream()
        .map(
            v -> EventCodec.of(RunEvent.class).decode(v.getBytes(StandardCharsets.UTF_8)).getType())
        .toList();
  }

  /** Drives a run of three jobs through to its end, checking each dispatch as it comes. */
  void runToSuccess(String runId) {
    triggers.pipeInput(runId, trigger(runId));
    assertEquals(List.of("a"), dispatchedJobs());
    completions.pipeInput(runId, completion(runId, "a"));
    assertEquals(List.of("b"), dispatchedJobs());
    completions.pipeInput(runId, completion(runId, "b"));
    assertEquals(List.of("c"), dispatchedJobs());
    completions.pipeInput(runId, completion(runId, "c"));
    assertTrue(dispatch.isEmpty());
    assertEquals(RunStatus.SUCCEEDED, runs.states.get(runId).status());
  }

  @Nested
  class AppliedWhenDrained {
    @Test
    void runsThreeJobsInOrderAndSavesEachStepBeforeItsDispatch() throws Exception {
      start(EngineTopology.wiring(TOPICS, runs, counters).build());
      runToSuccess("r1");
      assertEquals(
          List.of(
              RunEventType.RUN_STARTED,
              RunEventType.JOB_DISPATCHED,
              RunEventType.JOB_SUCCEEDED,
              RunEventType.JOB_DISPATCHED,
              RunEventType.JOB_SUCCEEDED,
              RunEventType.JOB_DISPATCHED,
              RunEventType.JOB_SUCCEEDED,
              RunEventType.RUN_SUCCEEDED),
          eventTypes());
      assertEquals(4, runs.saves); // the trigger and three completions, each saved once
      assertEquals(4, counters.applied());
    }

    @Test
    void eachPhaseOfAStepIsTimedForTheBenchmarksAccount() throws Exception {
      start(EngineTopology.wiring(TOPICS, runs, counters).build());
      Instant published = Instant.now().minusMillis(40);
      triggers.pipeInput("r1", trigger("r1"));
      completions.pipeInput("r1", completion("r1", "a"), published);
      assertEquals(List.of("a", "b"), dispatchedJobs());
      var registry = counters.registry();
      // delivered: completions only, from their publication (40 ms before they were piped in)
      var delivered = registry.get("baton.engine.phase").tag("phase", "delivered").timer();
      assertEquals(1, delivered.count());
      assertTrue(delivered.totalTime(TimeUnit.MILLISECONDS) >= 40, delivered.toString());
      // batched and applied: every record (each its own batch here); paced: each commit
      assertEquals(2, registry.get("baton.engine.phase").tag("phase", "batched").timer().count());
      assertEquals(2, registry.get("baton.engine.phase").tag("phase", "applied").timer().count());
      assertTrue(
          registry.get("baton.engine.phase").tag("phase", "paced").timer().count() >= 2,
          "a commit after each batch");
    }

    @Test
    void triggerOnItsRunsPartitionSkipsTheRepartitionTopic() throws Exception {
      start(EngineTopology.wiring(TOPICS, runs, counters).build());
      triggers.pipeInput("any-key", trigger("r1"));
      assertEquals(List.of("a"), dispatchedJobs());
      assertTrue(
          driver.producedTopicNames().stream().noneMatch(t -> t.contains("triggers-by-run")),
          "topics written: " + driver.producedTopicNames());
    }

    @Test
    void triggerForAnotherPartitionGoesThroughTheRepartitionTopic() throws Exception {
      // Two run partitions: every record here arrives on partition 0, so a run that lives on 1 is
      // re-keyed.
      start(
          wiring(
              w -> {
                w.runPartitions = 2;
              }));
      String elsewhere =
          java.util.stream.IntStream.range(0, 100)
              .mapToObj(i -> "run-" + i)
              .filter(id -> RunIds.partition(id, 2) == 1)
              .findFirst()
              .orElseThrow();
      triggers.pipeInput(elsewhere, trigger(elsewhere));
      assertEquals(List.of("a"), dispatchedJobs());
      assertTrue(
          driver.producedTopicNames().stream().anyMatch(t -> t.contains("triggers-by-run")),
          "topics written: " + driver.producedTopicNames());
    }

    @Test
    void refusedSaveInABatchIsAppliedAgainFromTheRepository() throws Exception {
      start(EngineTopology.wiring(TOPICS, runs, counters).build());
      triggers.pipeInput("r1", trigger("r1"));
      dispatchedJobs();
      runs.conflictsToSimulate = 1;
      completions.pipeInput("r1", completion("r1", "a"));
      assertEquals(List.of("b"), dispatchedJobs());
      assertEquals(1, counters.casConflicts());
      assertEquals(1, runs.states.get("r1").job("b").attempt());
    }
  }

  @Nested
  class AppliedByTheCommitHook {
    @Test
    void batchWaitingAtCommitIsAppliedAndForwardedBeforeTheCommit() throws Exception {
      start(
          wiring(
              w -> {
                w.applyWhenDrained = false;
              }));
      runToSuccess("r1");
      assertEquals(4, runs.saves);
    }

    @Test
    void twoRunsInterleavedKeepTheirOwnOrder() throws Exception {
      start(
          wiring(
              w -> {
                w.applyWhenDrained = false;
              }));
      triggers.pipeInput("r1", trigger("r1"));
      triggers.pipeInput("r2", trigger("r2"));
      assertEquals(List.of("a", "a"), dispatchedJobs());
      completions.pipeInput("r2", completion("r2", "a"));
      completions.pipeInput("r1", completion("r1", "a"));
      completions.pipeInput("r1", completion("r1", "b"));
      assertEquals(List.of("b", "b", "c"), dispatchedJobs());
      assertEquals(
          dev.baton.engine.decide.JobStatus.RUNNING, runs.states.get("r1").job("c").status());
      assertEquals(
          dev.baton.engine.decide.JobStatus.RUNNING, runs.states.get("r2").job("b").status());
    }
  }

  @Nested
  class RecordsThatCannotBeApplied {
    @Test
    void completionWhoseDispatchWouldBeTooLargeIsDeadLetteredAndItsRunFailsWhileTheNextRunGoesOn()
        throws Exception {
      start(EngineTopology.wiring(TOPICS, runs, counters).build());
      store(
          "wide",
          """
          name: wide
          version: 1
          params:
            p: {required: true}
          jobs:
            - name: a
              command: ["true"]
            - name: b
              command: [echo, "${params.p}", "${params.p}", "${params.p}", "${params.p}", "${params.p}"]
          """);
      var dlq =
          driver.createOutputTopic(
              TOPICS.dlq(), Serdes.String().deserializer(), Serdes.String().deserializer());
      String p = "x".repeat(220_000);
      triggers.pipeInput(
          "w1", "{\"runId\":\"w1\",\"template\":\"wide\",\"params\":{\"p\":\"" + p + "\"}}");
      assertEquals(List.of("a"), dispatchedJobs());

      completions.pipeInput("w1", completion("w1", "a"));
      // No dispatch of b; only a STOP for a, whose completion could not be applied.
      assertEquals(List.of("a"), dispatchedJobs());
      var dead = dlq.readRecordsToList();
      assertEquals(1, dead.size());
      String reason =
          new String(
              dead.get(0).headers().lastHeader(dev.baton.serde.DeadLetters.REASON).value(),
              StandardCharsets.UTF_8);
      assertTrue(reason.contains("the limit is " + Outbounds.MAX_RECORD_BYTES), reason);
      assertEquals(RunStatus.FAILED, runs.states.get("w1").status());
      assertTrue(eventTypes().contains(RunEventType.RUN_FAILED));

      runToSuccess("r2");
    }

    @Test
    void triggerWithParametersPastTheLimitIsDeadLetteredAndTheNextRunGoesOn() throws Exception {
      start(EngineTopology.wiring(TOPICS, runs, counters).build());
      var dlq =
          driver.createOutputTopic(
              TOPICS.dlq(), Serdes.String().deserializer(), Serdes.String().deserializer());
      store(
          "one",
          """
          name: one
          version: 1
          params:
            name: {required: true}
          jobs:
            - name: a
              command: [echo, "${params.name}"]
          """);
      triggers.pipeInput(
          "big",
          "{\"runId\":\"big\",\"template\":\"one\",\"params\":{\"name\":\""
              + "x".repeat(600_000)
              + "\"}}");
      assertTrue(dispatch.isEmpty());
      var dead = dlq.readRecordsToList();
      assertEquals(1, dead.size());
      String reason =
          new String(
              dead.get(0).headers().lastHeader(dev.baton.serde.DeadLetters.REASON).value(),
              StandardCharsets.UTF_8);
      assertTrue(
          reason.contains("at most " + dev.baton.engine.decide.TriggerChecks.MAX_PARAM_BYTES),
          reason);
      assertEquals(List.of(RunEventType.REJECTED), eventTypes());

      runToSuccess("r2");
    }
  }

  private Topology wiring(java.util.function.Consumer<EngineTopology.Wiring> settings) {
    EngineTopology.Wiring w = EngineTopology.wiring(TOPICS, runs, counters);
    settings.accept(w);
    return w.build();
  }
}
