package dev.baton.engine.decide;

import static dev.baton.engine.decide.DeciderTest.PIPELINE;
import static dev.baton.engine.decide.DeciderTest.T0;
import static dev.baton.engine.decide.DeciderTest.eventTypes;
import static dev.baton.engine.decide.DeciderTest.started;
import static dev.baton.engine.decide.DeciderTest.succeeded;
import static dev.baton.engine.decide.DeciderTest.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.EngineCommand.Reject;
import dev.baton.events.RunEventType;
import dev.baton.template.Template;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Records that cannot be applied are refused with a reason; the run they belong to does not hang.
 */
class RefusalTest {
  private static List<String> rejections(Decision d) {
    return d.commands().stream()
        .filter(c -> c instanceof Reject)
        .map(c -> ((Reject) c).reason())
        .toList();
  }

  @Test
  void triggerWithParametersPastTheLimitIsRejectedAndStartsNothing() {
    String big = "x".repeat(600_000);
    Decision d = Sim.decide(null, trigger("big", Map.of("source", big)), PIPELINE, T0);
    assertNull(d.state());
    List<String> reasons = rejections(d);
    assertEquals(1, reasons.size(), d.commands().toString());
    assertTrue(reasons.get(0).contains("at most " + TriggerChecks.MAX_PARAM_BYTES), reasons.get(0));
    assertEquals(List.of(), DeciderTest.dispatches(d));
  }

  @Test
  void recordThatMakesDecideThrowIsRejectedAndItsRunFails() {
    RunState running = started().state();
    // A stored run that lost a job the template has: moving on from extract throws inside decide.
    Map<String, JobState> jobs = new LinkedHashMap<>(running.jobs());
    jobs.remove("transform");
    RunState broken =
        new RunState(
            running.runId(),
            running.template(),
            running.templateVersion(),
            running.status(),
            running.params(),
            jobs,
            running.createdAt(),
            null,
            null,
            null,
            null,
            false,
            Map.of(),
            null,
            null,
            0);

    Decision d =
        Sim.decide(
            broken,
            succeeded("r1", "extract", Map.of("records", "10")),
            PIPELINE,
            T0.plusSeconds(1));

    List<String> reasons = rejections(d);
    assertEquals(1, reasons.size(), d.commands().toString());
    assertTrue(
        reasons
            .get(0)
            .startsWith("the engine could not apply the completion of extract attempt 1: "),
        reasons.get(0));
    assertEquals(RunStatus.FAILED, d.state().status());
    assertEquals(reasons.get(0), d.state().detail());
    assertTrue(eventTypes(d).contains(RunEventType.RUN_FAILED), eventTypes(d).toString());
    assertTrue(
        DeciderTest.dispatches(d).stream()
            .allMatch(x -> x.getAction() == dev.baton.events.DispatchAction.STOP),
        "nothing starts: " + DeciderTest.dispatches(d));
  }

  @Test
  void refusingStopsRunningAttemptsAndSkipsTheExitHandler() {
    Template withExit =
        Sim.template(
            """
        name: etl
        version: 1
        jobs:
          - name: a
            command: [a]
        onExit:
          name: cleanup
          command: [cleanup]
        """);
    RunState running =
        Sim.decide(
                null,
                new EngineEvent.TriggerReceived(
                    "r2",
                    dev.baton.events.WorkflowTrigger.newBuilder()
                        .setTemplate("etl")
                        .setParams(Map.of())
                        .build()),
                withExit,
                T0)
            .state();

    Decision d =
        Decider.refuse(
            running,
            withExit,
            T0.plusSeconds(1),
            "applying it would produce a record of 2000000 bytes");

    assertEquals(RunStatus.FAILED, d.state().status());
    assertEquals(JobStatus.CANCELLED, d.state().job("a").status());
    assertEquals(JobStatus.PENDING, d.state().job("cleanup").status());
    assertEquals(List.of(RunEventType.JOB_CANCELLED, RunEventType.RUN_FAILED), eventTypes(d));
    assertTrue(
        d.commands().stream()
            .anyMatch(
                c ->
                    c instanceof EngineCommand.DispatchJob dj
                        && dj.dispatch().getAction() == dev.baton.events.DispatchAction.STOP),
        "the running attempt is stopped");
    assertEquals(1, rejections(d).size());
  }

  @Test
  void refusingWhatHasNoRunOnlyRejects() {
    Decision d = Decider.refuse(null, PIPELINE, T0, "too big");
    assertNull(d.state());
    assertEquals(List.of("too big"), rejections(d));
  }
}
