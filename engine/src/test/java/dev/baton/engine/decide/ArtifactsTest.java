package dev.baton.engine.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.DispatchAction;
import dev.baton.events.JobDispatch;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A job's artifacts: its dispatch says what to upload and what to put in place, the runtime's
 * report carries what it stored (as the reserved output {@code artifact:NAME}), and the next job's
 * dispatch carries that reference.
 */
class ArtifactsTest {
  static final String PIPELINE =
      """
      name: files
      version: 1
      jobs:
        - name: extract
          command: [sh, -c, 'seq 1 3 > "$BATON_ARTIFACTS/out/orders.csv"']
          artifacts: {out: {orders: orders.csv}}
        - name: load
          command: [wc, -l, "$BATON_ARTIFACTS/in/orders"]
          artifacts: {in: {orders: "${jobs.extract.artifacts.orders}"}}
      """;

  static final String REF =
      "{\"uri\":\"s3://b/p/r1/extract/1/orders\",\"size\":6,\"sha256\":\"ab\"}";

  @Test
  void theReferenceAJobStoredIsHandedToTheJobThatReadsIt() {
    Sim sim = new Sim(PIPELINE);
    JobDispatch extract = Sim.dispatches(sim.trigger(), DispatchAction.START).get(0);
    assertEquals(Map.of("orders", "orders.csv"), extract.getArtifactsOut());
    assertEquals(Map.of(), extract.getArtifactsIn());

    Decision done = sim.succeed("extract", Map.of("artifact:orders", REF));
    JobDispatch load = Sim.dispatches(done, DispatchAction.START).get(0);
    assertEquals("load", load.getJob());
    assertEquals(Map.of("orders", REF), load.getArtifactsIn());
    assertEquals(Map.of(), load.getArtifactsOut());
    RunEvent succeeded =
        Sim.events(done).stream()
            .filter(e -> e.getType() == RunEventType.JOB_SUCCEEDED)
            .findFirst()
            .orElseThrow();
    assertEquals(REF, succeeded.getOutputs().get("artifact:orders"), "the event records it");
  }

  @Test
  void aSuccessWithoutItsDeclaredArtifactFailsTheAttempt() {
    Sim sim = new Sim(PIPELINE);
    sim.trigger();
    Decision done = sim.succeed("extract", Map.of());
    RunEvent failed =
        Sim.events(done).stream()
            .filter(e -> e.getType() == RunEventType.JOB_FAILED)
            .findFirst()
            .orElseThrow();
    assertTrue(failed.getDetail().contains("no artifact 'orders' was stored"), failed.getDetail());
    assertTrue(Sim.dispatches(done, DispatchAction.START).isEmpty(), "load never starts");
  }
}
