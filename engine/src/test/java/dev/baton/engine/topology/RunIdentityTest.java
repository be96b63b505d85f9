package dev.baton.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.JobStatus;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A run id starts one run: child ids are reserved for the runs their parents start, a trigger for a
 * run that exists is refused where people look, and a child reports to its parent's attempt when it
 * starts.
 */
class RunIdentityTest {
  final TopologyFixture f = new TopologyFixture();

  @BeforeEach
  void store() {
    f.store(
        """
        name: child
        version: 1
        jobs:
          - {name: work, command: ["true"]}
        """);
    f.store(
        """
        name: parent
        version: 1
        jobs:
          - {name: first, command: ["true"]}
          - name: sub
            run: {template: child}
        """);
  }

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void aChildsIdCannotBeTakenBeforeItsParentStartsIt() {
    f.trigger("pp1", "parent");
    f.trigger("pp1:sub.1", "child");
    List<String> reasons = f.deadLetterReasons();
    assertEquals(1, reasons.size(), reasons.toString());
    assertTrue(
        reasons.get(0).contains("reserved for the runs that run: jobs start"), reasons.get(0));
    assertNull(f.runs.states.get("pp1:sub.1"), "no squatter");

    f.complete("pp1", "first", null, 1, "SUCCEEDED");
    assertNotNull(f.runs.states.get("pp1:sub.1"), "the real child started");
    assertEquals("pp1", f.runs.states.get("pp1:sub.1").parent().runId());
    assertNotNull(
        f.runs.states.get("pp1").job("sub").startedAt(), "the child told its parent it started");
    f.complete("pp1:sub.1", "work", null, 1, "SUCCEEDED");
    assertEquals(RunStatus.SUCCEEDED, f.runs.states.get("pp1").status());
    assertTrue(f.deadLetterReasons().isEmpty());
  }

  @Test
  void hashedChildIdsAreReservedToo() {
    f.trigger("child-0123456789abcdef0123456789abcdef", "child");
    assertEquals(1, f.deadLetterReasons().size());
    f.trigger("order:7", "child");
    f.trigger("report.2026-12-06", "child");
    assertTrue(f.deadLetterReasons().isEmpty(), "ids of other forms are anyone's");
    assertNotNull(f.runs.states.get("order:7"));
  }

  @Test
  void aTriggerForARunThatExistsIsDeadLetteredAndTheRunGoesOn() {
    f.trigger("dup", "child");
    f.runEvents();
    f.trigger("dup", "child");
    List<String> reasons = f.deadLetterReasons();
    assertEquals(1, reasons.size(), reasons.toString());
    assertTrue(reasons.get(0).startsWith("run 'dup' already exists"), reasons.get(0));
    List<RunEvent> events = f.runEvents();
    assertFalse(
        TopologyFixture.types(events).contains(RunEventType.REJECTED),
        "the run that exists is not said to be rejected");
    RunEvent repeated = only(events, RunEventType.TRIGGER_REPEATED);
    assertEquals("RUNNING", repeated.getRunStatus(), "the sender learns the run goes on");
    assertEquals(JobStatus.RUNNING, f.runs.states.get("dup").job("work").status());
  }

  @Test
  void aTriggerForARunThatEndedIsAnsweredWithItsResult() {
    f.store(
        """
        name: counted
        version: 1
        jobs:
          - {name: count, command: [count], outputs: [n]}
          - {name: check, command: ["true"]}
        outputs: {total: "${jobs.count.outputs.n}"}
        """);
    String trigger = "{\"template\":\"counted\",\"idempotencyKey\":\"order-11\"}";
    f.triggers.pipeInput("k", trigger);
    String runId = f.runs.states.keySet().iterator().next();
    f.completions.pipeInput(
        runId, TopologyFixture.report(runId, "count", null, 1, "SUCCEEDED", "{\"n\":\"7\"}"));
    f.complete(runId, "check", null, 1, "SUCCEEDED");
    f.runEvents();
    f.triggers.pipeInput("k", trigger);
    RunEvent succeeded = only(f.runEvents(), RunEventType.TRIGGER_REPEATED);
    assertEquals("SUCCEEDED", succeeded.getRunStatus());
    assertEquals(Map.of("total", "7", "count.n", "7"), succeeded.getOutputs());
    assertTrue(f.deadLetterReasons().isEmpty(), "an idempotency key sent again is no error");

    f.trigger("failing", "child");
    f.complete("failing", "work", null, 1, "FAILED");
    f.runEvents();
    f.trigger("failing", "child");
    RunEvent failed = only(f.runEvents(), RunEventType.TRIGGER_REPEATED);
    assertEquals("FAILED", failed.getRunStatus());
    assertEquals("work", failed.getJob());
    assertNotNull(failed.getDetail());
    assertEquals(
        1, f.deadLetterReasons().size(), "a run id sent again is refused where people look");
  }

  private static RunEvent only(List<RunEvent> events, RunEventType type) {
    List<RunEvent> found = events.stream().filter(e -> e.getType() == type).toList();
    assertEquals(1, found.size(), TopologyFixture.types(events).toString());
    return found.get(0);
  }

  @Test
  void aTriggerSentAgainUnderItsIdempotencyKeyIsAQuietDuplicate() {
    String trigger = "{\"template\":\"child\",\"idempotencyKey\":\"order-9\"}";
    f.triggers.pipeInput("k", trigger);
    f.triggers.pipeInput("k", trigger);
    assertTrue(f.deadLetterReasons().isEmpty());
    assertEquals(1, f.runs.states.size());
    assertEquals(1, f.counters.duplicates());
  }
}
