package dev.baton.engine.decide;

import static dev.baton.engine.decide.Sim.eventTypes;
import static dev.baton.engine.decide.Sim.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.RunEventType;
import dev.baton.events.TimerFired;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Service-level targets of runs and jobs: reported once when missed, never stopping anything. */
class SlasTest {
  static final String SLOW =
      """
      name: slow
      version: 1
      sla: {duration: 30m}
      jobs:
        - name: build
          command: [build]
          sla: {duration: 10m}
          retry: {limit: 2, backoff: {initial: 1m}}
          startTimeout: 1h
        - {name: ship, command: [ship], startTimeout: 1h}
      """;

  /** Fires the timers due within {@code by}, one at a time, and returns their decisions. */
  static List<Decision> advance(Sim sim, Duration by) {
    sim.now = sim.now.plus(by);
    List<Decision> out = new ArrayList<>();
    List<TimerFired> due =
        sim.timers.values().stream().filter(t -> !t.getDueAt().isAfter(sim.now)).toList();
    for (TimerFired t : due) {
      out.add(sim.apply(new EngineEvent.TimerDue("r1", t)));
    }
    return out;
  }

  static List<RunEventType> types(List<Decision> ds) {
    return ds.stream().flatMap(d -> eventTypes(d).stream()).toList();
  }

  @Test
  void aJobAndARunStillGoingPastTheirTargetsAreReportedOnceAndGoOn() {
    Sim sim = new Sim(SLOW);
    sim.trigger();
    assertTrue(sim.timers.containsKey("r1/sla"));
    assertTrue(sim.timers.containsKey("r1/build/sla"));
    sim.fail("build", 1); // retried: the job's target counts from its first start
    List<Decision> at11 = advance(sim, Duration.ofMinutes(11));
    assertEquals(
        List.of(RunEventType.JOB_SLA_MISSED),
        types(at11).stream().filter(t -> t == RunEventType.JOB_SLA_MISSED).toList());
    var missed =
        at11.stream()
            .flatMap(d -> events(d).stream())
            .filter(e -> e.getType() == RunEventType.JOB_SLA_MISSED)
            .findFirst()
            .orElseThrow();
    assertEquals("build", missed.getJob());
    assertTrue(missed.getDetail().contains("10m after it started"), missed.getDetail());
    assertEquals(JobStatus.RUNNING, sim.status("build"), "nothing is stopped");
    sim.succeed("build");
    List<Decision> at31 = advance(sim, Duration.ofMinutes(20));
    assertEquals(List.of(RunEventType.RUN_SLA_MISSED), types(at31));
    assertEquals(RunStatus.RUNNING, sim.state.status());
    sim.succeed("ship");
    assertEquals(
        RunStatus.SUCCEEDED, sim.state.status(), "a run that missed its target still ends");
  }

  @Test
  void aRunThatEndsInTimeLeavesNoTargetTimerBehind() {
    Sim sim = new Sim(SLOW);
    sim.trigger();
    sim.succeed("build");
    Decision end = sim.succeed("ship");
    assertEquals(RunStatus.SUCCEEDED, end.state().status());
    assertFalse(sim.timers.containsKey("r1/sla"), sim.timers.keySet().toString());
    assertFalse(sim.timers.containsKey("r1/build/sla"), sim.timers.keySet().toString());
    assertEquals(List.of(), types(advance(sim, Duration.ofHours(1))));
  }

  @Test
  void aRunsTargetCountsFromItsTrigger() {
    Sim sim = new Sim(SLOW);
    sim.trigger();
    assertEquals(
        Sim.T0.plus(Duration.ofMinutes(30)), sim.timers.get("r1/sla").getDueAt(), "from creation");
  }
}
