package dev.baton.engine.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.Decider;
import dev.baton.engine.decide.Decision;
import dev.baton.engine.decide.EngineEvent;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.WorkflowTrigger;
import dev.baton.template.Templates;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An ended run's summary for the history topic: whole when small, without outputs when not. */
class RunSummaryTest {
  private static RunState ended(String output) throws Exception {
    var template =
        Templates.parse(
            "t.yaml",
            "name: one\nversion: 1\njobs:\n  - {name: a, command: [\"true\"], outputs: [out]}\n");
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    Decision started =
        Decider.decide(
            null,
            new EngineEvent.TriggerReceived(
                "r1", WorkflowTrigger.newBuilder().setTemplate("one").build()),
            template,
            now);
    Decision done =
        Decider.decide(
            started.state(),
            new EngineEvent.JobCompleted(
                "r1",
                JobCompletion.newBuilder()
                    .setRunId("r1")
                    .setJob("a")
                    .setAttempt(1)
                    .setStatus(CompletionStatus.SUCCEEDED)
                    .setExitCode(0)
                    .setOutputs(Map.of("out", output))
                    .build()),
            template,
            now.plusSeconds(1));
    return done.state();
  }

  @Test
  void aSmallRunIsKeptWholeALargeOneWithoutItsOutputs() throws Exception {
    RunState small = ended("42 rows");
    RunState back = RunSummary.parse(RunSummary.of(small));
    assertEquals(RunStatus.SUCCEEDED, back.status());
    assertEquals("42 rows", back.job("a").outputs().get("out"));

    RunState large = ended("x".repeat(300 * 1024));
    byte[] bytes = RunSummary.of(large);
    assertTrue(bytes.length <= RunSummary.MAX_BYTES, "bounded: " + bytes.length);
    RunState kept = RunSummary.parse(bytes);
    assertEquals(RunStatus.SUCCEEDED, kept.status());
    assertTrue(kept.job("a").outputs().isEmpty(), "the outputs are what is left out");
  }
}
