package dev.baton.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.apply.StrayRecords;
import dev.baton.engine.decide.JobStatus;
import dev.baton.serde.RunIds;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A record of a run that arrives on another partition than its run's is sent on, keyed by its run
 * id, instead of being applied by the wrong task. (The test driver has one partition per topic,
 * partition 0: a run of another partition stands for any record a non-Java partitioner misplaced.)
 */
class StrayRecordsTest {
  final TopologyFixture f = new TopologyFixture(w -> w.runPartitions = 3);

  @AfterEach
  void close() {
    f.close();
  }

  /** A run id that Kafka's default partitioner puts on {@code partition} of 3. */
  static String runOn(int partition) {
    return IntStream.range(0, 1000)
        .mapToObj(i -> "stray-" + i)
        .filter(id -> RunIds.partition(id, 3) == partition)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aCompletionOnAnotherPartitionIsSentOnToItsRunsAndNotAppliedHere() {
    f.store(
        """
        name: one
        version: 1
        jobs:
          - {name: a, command: ["true"]}
        """);
    String elsewhere = runOn(1);
    // Its run's state, as the task of partition 1 wrote it.
    String here = runOn(0);
    f.trigger(here, "one");
    f.runs.states.put(elsewhere, f.runs.states.get(here));
    f.runs.versions.put(elsewhere, 1L);

    f.completions.pipeInput(
        "any-key", TopologyFixture.report(elsewhere, "a", null, 1, "SUCCEEDED", "{}"));

    List<TestRecord<String, String>> sentOn = f.completionsOut.readRecordsToList();
    assertEquals(1, sentOn.size(), "sent on once");
    assertEquals(elsewhere, sentOn.get(0).key(), "keyed by its run id");
    assertNotNull(sentOn.get(0).headers().lastHeader(StrayRecords.REROUTED_FROM));
    assertEquals(
        "0",
        new String(
            sentOn.get(0).headers().lastHeader(StrayRecords.REROUTED_FROM).value(),
            StandardCharsets.UTF_8));
    assertEquals(1, f.counters.rerouted());
    assertEquals(
        JobStatus.RUNNING, f.runs.states.get(elsewhere).job("a").status(), "not applied here");

    // Back on partition 0 (this driver has no other): the partitions are not what the engine
    // thinks, and the record is dead-lettered rather than sent round forever.
    List<String> reasons = f.deadLetterReasons();
    assertEquals(1, reasons.size(), reasons.toString());
    assertTrue(reasons.get(0).contains("came back to partition 0"), reasons.get(0));
  }

  @Test
  void aCommandOnItsRunsPartitionIsAppliedThere() {
    f.store(
        """
        name: one
        version: 1
        jobs:
          - {name: a, command: [sleep, "9"]}
        """);
    String here = runOn(0);
    f.trigger(here, "one");
    f.commands.pipeInput("whatever", "{\"runId\":\"" + here + "\",\"type\":\"CANCEL\"}");
    assertEquals(JobStatus.CANCELLED, f.runs.states.get(here).job("a").status());
    assertEquals(0, f.counters.rerouted());
  }
}
