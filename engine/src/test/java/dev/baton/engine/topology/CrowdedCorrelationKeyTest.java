package dev.baton.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.correlate.CorrelationProcessor;
import dev.baton.engine.correlate.CorrelationRecord;
import dev.baton.engine.correlate.Correlations;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One correlation key with many large events: every store write, and so every changelog record,
 * stays small, what exceeds the key's bound is dead-lettered with the reason, and other keys go on.
 */
class CrowdedCorrelationKeyTest {
  final TopologyFixture f = new TopologyFixture();

  @AfterEach
  void close() {
    f.close();
  }

  static String event(String id, String key, int chars) {
    return new String(
        CorrelationRecord.encode(
            new CorrelationRecord.Event(
                id,
                "payments",
                key,
                0,
                3_600_000,
                Map.of("order@1/pay", Map.of("payload", "x".repeat(chars))))),
        StandardCharsets.UTF_8);
  }

  @Test
  void fiveLargeEventsOnOneKeyNeverMakeAChangelogRecordPastTheBrokersLimit() {
    for (int i = 0; i < 5; i++) {
      f.correlations.pipeInput("payments/k", event("e" + i, "k", 250_000));
    }
    TestOutputTopic<String, String> changelog =
        f.driver.createOutputTopic(
            "topology-fixture-" + CorrelationProcessor.STORE + "-changelog",
            Serdes.String().deserializer(),
            Serdes.String().deserializer());
    List<String> written = changelog.readValuesToList();
    assertTrue(written.size() >= 5, written.size() + " changelog records");
    for (String v : written) {
      int bytes = v == null ? 0 : v.getBytes(StandardCharsets.UTF_8).length;
      assertTrue(
          bytes <= Correlations.MAX_EVENT_BYTES, "a changelog record of " + bytes + " bytes");
    }
    List<String> reasons = f.deadLetterReasons();
    assertEquals(1, reasons.size(), reasons.toString());
    assertTrue(reasons.get(0).contains("is not kept"), reasons.get(0));

    // Another key of the same partition is met as ever.
    f.correlations.pipeInput(
        "payments/other",
        new String(
            CorrelationRecord.encode(
                new CorrelationRecord.Await(
                    "payments", "other", "r9", "pay", 1, "order@1/pay", null)),
            StandardCharsets.UTF_8));
    f.correlations.pipeInput("payments/other", event("o1", "other", 10));
    assertEquals(1, f.commandsOut.readValuesToList().size(), "the DELIVER for r9");
  }

  @Test
  void aCorrelationRecordPastTheLimitIsDeadLetteredWhole() {
    f.correlations.pipeInput("payments/k", event("e0", "k", Correlations.MAX_EVENT_BYTES + 10));
    List<String> reasons = f.deadLetterReasons();
    assertEquals(1, reasons.size());
    assertTrue(reasons.get(0).contains("larger than the limit"), reasons.get(0));
  }
}
