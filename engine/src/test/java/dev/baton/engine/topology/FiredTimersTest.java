package dev.baton.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.RunEventType;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A fired timer is consumed whatever its decision, so it never fires again. */
class FiredTimersTest {
  final TopologyFixture f = new TopologyFixture();

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void slaTimersThatChangeNoStateAreDeletedAndAnnouncedOnce() {
    f.store(
        """
        name: slow
        version: 1
        sla: {duration: 1s}
        jobs:
          - name: a
            command: ["true"]
            sla: {duration: 1s}
        """);
    f.trigger("s1", "slow");
    f.complete("s1", "a", null, 1, "STARTED");
    f.runEvents();
    assertTrue(f.runs.timers.containsKey("s1/sla"), f.runs.timers.keySet().toString());
    assertTrue(f.runs.timers.containsKey("s1/a/sla"), f.runs.timers.keySet().toString());

    f.fire("s1/sla");
    f.fire("s1/a/sla");

    assertEquals(
        List.of(RunEventType.RUN_SLA_MISSED, RunEventType.JOB_SLA_MISSED),
        TopologyFixture.types(f.runEvents()));
    assertFalse(f.runs.timers.containsKey("s1/sla"), "the run's SLA timer fires once");
    assertFalse(f.runs.timers.containsKey("s1/a/sla"), "the job's SLA timer fires once");
  }

  @Test
  void aTimerOfARunThatIsGoneIsDeadLetteredOnceAndDeleted() {
    f.store(
        """
        name: slow
        version: 1
        jobs:
          - name: a
            command: ["true"]
            timeout: 1m
        """);
    f.trigger("g1", "slow");
    f.complete("g1", "a", null, 1, "STARTED");
    assertTrue(f.runs.timers.containsKey("g1/a/1/timeout"));
    // The run's keys expired while its timer was left behind.
    f.runs.states.remove("g1");
    f.runs.versions.remove("g1");
    f.deadLetterReasons();

    f.fire("g1/a/1/timeout");

    List<String> reasons = f.deadLetterReasons();
    assertEquals(1, reasons.size(), reasons.toString());
    assertTrue(reasons.get(0).startsWith("no run 'g1' is known"), reasons.get(0));
    assertFalse(f.runs.timers.containsKey("g1/a/1/timeout"), "it does not fire again");
  }

  @Test
  void aStaleTimerIsDeletedToo() {
    f.store(
        """
        name: quick
        version: 1
        jobs:
          - name: a
            command: ["true"]
            timeout: 1m
        """);
    f.trigger("q1", "quick");
    f.complete("q1", "a", null, 1, "STARTED");
    var timer = f.runs.timers.get("q1/a/1/timeout");
    f.complete("q1", "a", null, 1, "SUCCEEDED");
    assertFalse(f.runs.timers.containsKey("q1/a/1/timeout"), "cancelled by the completion");
    // The timer was leased and published just before the completion was applied.
    f.runs.timers.put(timer.getEventId(), timer);
    f.fire("q1/a/1/timeout");
    assertFalse(f.runs.timers.containsKey("q1/a/1/timeout"));
  }
}
