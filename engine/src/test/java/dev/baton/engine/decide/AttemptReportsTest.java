package dev.baton.engine.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The event that ends an attempt carries its start and the ends of its output and error. */
class AttemptReportsTest {
  static final String TWO_JOBS =
      """
      name: two
      version: 1
      jobs:
        - name: a
          command: ["true"]
          retry: {limit: 1}
        - name: b
          command: ["true"]
          dependsOn: [a]
      """;

  private static Decision report(
      Sim sim, CompletionStatus status, String out, String err, Instant started) {
    return sim.apply(
        new EngineEvent.JobCompleted(
            "r1",
            JobCompletion.newBuilder()
                .setRunId("r1")
                .setJob("a")
                .setAttempt(sim.state.job("a").attempt())
                .setStatus(status)
                .setExitCode(status == CompletionStatus.SUCCEEDED ? 0 : 1)
                .setOutputs(Map.of())
                .setOutputTail(out)
                .setErrorTail(err)
                .setStartedAt(started)
                .build()));
  }

  private static RunEvent event(Decision d, RunEventType type) {
    return Sim.events(d).stream().filter(e -> e.getType() == type).findFirst().orElseThrow();
  }

  @Test
  void theEndOfAnAttemptCarriesItsStartAndLogTailsAndNothingElseDoes() {
    Sim sim = new Sim(TWO_JOBS);
    sim.trigger();
    Instant started = Sim.T0.plusMillis(40);
    Decision retried = report(sim, CompletionStatus.FAILED, "step 1\n", "boom\n", started);
    RunEvent retrying = event(retried, RunEventType.JOB_RETRYING);
    assertEquals(started, retrying.getStartedAt());
    assertEquals("step 1\n", retrying.getOutputTail());
    assertEquals("boom\n", retrying.getErrorTail());

    sim.advance(java.time.Duration.ofSeconds(5));
    String longOutput = "x".repeat(10_000) + "last line";
    Decision done = report(sim, CompletionStatus.SUCCEEDED, longOutput, null, started);
    RunEvent succeeded = event(done, RunEventType.JOB_SUCCEEDED);
    assertEquals(Step.MAX_TAIL, succeeded.getOutputTail().length(), "bounded");
    assertEquals(true, succeeded.getOutputTail().endsWith("last line"), "its end is kept");
    RunEvent next = event(done, RunEventType.JOB_DISPATCHED);
    assertEquals("b", next.getJob());
    assertNull(next.getOutputTail(), "b's dispatch carries nothing of a's report");
    assertNull(next.getStartedAt());
  }
}
