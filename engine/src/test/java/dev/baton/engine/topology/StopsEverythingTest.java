package dev.baton.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.engine.decide.JobStatus;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.DispatchAction;
import dev.baton.events.JobDispatch;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every path that ends a run stops everything it started: fan-out instances included, though the
 * record that ends the run is about another job and the instances are stored apart.
 */
class StopsEverythingTest {
  final TopologyFixture f = new TopologyFixture();

  @BeforeEach
  void store() {
    f.store(
        """
        name: fan-and-gate
        version: 1
        jobs:
          - name: fan
            forEach: '["a", "b", "c"]'
            command: [sleep, "30"]
          - name: gate
            dependsOn: []
            wait:
              approval: {prompt: "go?"}
          - name: next
            dependsOn: [gate]
            when: "jobs.gate.outputs.missing == 'x'"
            command: ["true"]
        """);
  }

  @AfterEach
  void close() {
    f.close();
  }

  private List<String> stopped() {
    return f.dispatches().stream()
        .filter(d -> d.getAction() == DispatchAction.STOP)
        .map(JobDispatch::getAttemptId)
        .sorted()
        .toList();
  }

  private void startRun(String runId) {
    f.trigger(runId, "fan-and-gate");
    assertEquals(3, f.dispatches().size(), "three instances dispatched; the gate waits");
    for (int i = 0; i < 3; i++) {
      f.complete(runId, "fan", i, 1, "STARTED");
    }
  }

  @Test
  void aRejectionStopsTheRunningInstancesOfAFanOut() {
    startRun("rj");
    f.commands.pipeInput(
        "rj", "{\"runId\":\"rj\",\"type\":\"REJECT\",\"job\":\"gate\",\"attempt\":1}");

    assertEquals(RunStatus.FAILED, f.runs.states.get("rj").status());
    assertEquals(List.of("rj/fan[0]/1", "rj/fan[1]/1", "rj/fan[2]/1"), stopped());
    f.runs.items.get("rj").values().forEach(i -> assertEquals(JobStatus.CANCELLED, i.status()));
  }

  @Test
  void anApprovalWhoseNextConditionCannotBeEvaluatedStopsTheFanOutToo() {
    startRun("ap");
    f.commands.pipeInput(
        "ap", "{\"runId\":\"ap\",\"type\":\"APPROVE\",\"job\":\"gate\",\"attempt\":1}");

    assertEquals(RunStatus.FAILED, f.runs.states.get("ap").status());
    assertEquals(List.of("ap/fan[0]/1", "ap/fan[1]/1", "ap/fan[2]/1"), stopped());
  }

  @Test
  void aCancelledRunsInstancesAllGetTheirStop() {
    startRun("cn");
    f.commands.pipeInput("cn", "{\"runId\":\"cn\",\"type\":\"CANCEL\"}");
    assertEquals(RunStatus.CANCELLED, f.runs.states.get("cn").status());
    assertEquals(List.of("cn/fan[0]/1", "cn/fan[1]/1", "cn/fan[2]/1"), stopped());
  }
}
