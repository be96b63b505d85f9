package dev.baton.engine.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.engine.state.RunSummary;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The API's memory of ended runs is bounded in bytes as well as in number. */
class RunHistoryTest {
  static byte[] summary(String runId, int paramChars) {
    RunState ended =
        new RunState(
            runId,
            "t",
            1,
            RunStatus.SUCCEEDED,
            Map.of("p", "x".repeat(paramChars)),
            Map.of(),
            Instant.EPOCH,
            Instant.EPOCH,
            null,
            null,
            null,
            false,
            Map.of(),
            null,
            null,
            0);
    return RunSummary.of(ended);
  }

  @Test
  void largeSummariesAreKeptUpToTheByteBoundTheNewestFirst() {
    long bound = 2L * 1024 * 1024;
    RunHistory history = new RunHistory(bound);
    for (int i = 0; i < 30; i++) {
      history.take(
          new ConsumerRecord<>("history", 0, i, "run-" + i, summary("run-" + i, 256 * 1024)));
    }
    assertTrue(history.keptBytes() <= bound, history.keptBytes() + " bytes kept");
    assertTrue(history.find("run-29").isPresent(), "the newest is kept");
    assertTrue(history.find("run-0").isEmpty(), "the oldest went");
  }
}
