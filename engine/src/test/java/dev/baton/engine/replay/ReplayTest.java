package dev.baton.engine.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.Decider;
import dev.baton.engine.decide.Decision;
import dev.baton.engine.decide.Effects;
import dev.baton.engine.decide.EngineEvent;
import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.decide.RunState;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.events.RunEvent;
import dev.baton.events.WorkflowTrigger;
import dev.baton.template.Template;
import dev.baton.template.Templates;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Replay over a recorded fan-out: the engine's own decisions (made here by the same loop the engine
 * runs, every dispatch answered in order) reproduce exactly; another version shows its first
 * difference where it first decides otherwise.
 */
class ReplayTest {
  static Template template(int version, int maxParallel) throws Exception {
    return Templates.parse(
        "t.yaml",
        """
        name: fan
        version: %d
        jobs:
          - {name: list, command: ["true"], outputs: [items]}
          - name: each
            forEach: jobs.list.outputs.items
            maxParallel: %d
            command: ["true"]
        """
            .formatted(version, maxParallel));
  }

  /** Runs a fan-out of 10 through decide, answering each dispatch in order; records what came. */
  static List<Replay.Input> record(Template t, List<RunEvent> events) {
    List<Replay.Input> inputs = new ArrayList<>();
    Map<String, ItemState> items = new HashMap<>();
    ArrayDeque<JobDispatch> pending = new ArrayDeque<>();
    RunState state = null;
    long time = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    EngineEvent next =
        new EngineEvent.TriggerReceived(
            "r1", WorkflowTrigger.newBuilder().setTemplate("fan").setRunId("r1").build());
    String id = "trigger:r1";
    while (next != null) {
      inputs.add(new Replay.Input(next, id, null, time, "in@" + inputs.size()));
      Map<String, ItemState> loaded =
          state == null ? Map.of() : Needs.of(state, next, t).pick(items);
      Decision d =
          Decider.decide(
              state == null ? null : state.withItems(loaded), next, t, Instant.ofEpochMilli(time));
      Effects effects = Effects.of(d.commands());
      events.addAll(effects.events());
      pending.addAll(effects.dispatches());
      if (d.state() != null) {
        items.putAll(d.state().items());
        state = d.state().withoutItems();
      }
      time += 10;
      JobDispatch dispatch = pending.poll();
      if (dispatch != null
          && pending.size() > 2
          && dispatch.getItem() != null
          && dispatch.getItem() % 2 == 0) {
        pending.add(dispatch); // answered out of dispatch order, as runtimes do
        dispatch = pending.poll();
      }
      if (dispatch == null) {
        next = null;
      } else {
        Map<String, String> outputs =
            dispatch.getJob().equals("list")
                ? Map.of(
                    "items",
                    "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29]")
                : Map.of();
        JobCompletion c =
            JobCompletion.newBuilder()
                .setRunId("r1")
                .setJob(dispatch.getJob())
                .setItem(dispatch.getItem())
                .setAttempt(dispatch.getAttempt())
                .setStatus(CompletionStatus.SUCCEEDED)
                .setExitCode(0)
                .setOutputs(outputs)
                .build();
        next = new EngineEvent.JobCompleted("r1", c);
        id = dispatch.getAttemptId();
      }
    }
    return inputs;
  }

  @Test
  void theRecordReplaysExactlyAndAnotherVersionDiffersFirstWhereItDecidesOtherwise()
      throws Exception {
    Template v1 = template(1, 16);
    Template v2 = template(2, 8);
    List<RunEvent> recorded = new ArrayList<>();
    List<Replay.Input> inputs = record(v1, recorded);
    Replay.Result same =
        Replay.run(inputs, recorded, (name, version) -> version == 2 ? v2 : v1, null);
    assertEquals(0, same.differing(), same.toString());
    assertTrue(same.notReplayed().isEmpty());

    Replay.Result other =
        Replay.run(inputs, recorded, (name, version) -> version == 2 ? v2 : v1, 2);
    Replay.Step first = other.firstDifference();
    assertEquals(2, first.index(), "list's completion: 2 instances at once, not 4");
    assertTrue(
        first.differences().stream()
            .anyMatch(d -> d.contains("the engine recorded JOB_DISPATCHED each[8] #1 here")),
        first.differences().toString());
  }

  @Test
  void inputsGoInTheOrderTheirEventsWereRecordedNotOnlyByTime() {
    Replay.Input a = new Replay.Input(null, "a", "x", 100, "t-0@1");
    Replay.Input b = new Replay.Input(null, "b", "x", 100, "t-1@1");
    Replay.Input quiet = new Replay.Input(null, "q", "x", 50, "t-0@0");
    RunEvent byB =
        RunEvent.newBuilder()
            .setEventId("e")
            .setOccurredAt(Instant.EPOCH)
            .setRunId("r")
            .setType(dev.baton.events.RunEventType.JOB_SUCCEEDED)
            .setCause("b")
            .build();
    RunEvent byA =
        RunEvent.newBuilder()
            .setEventId("e")
            .setOccurredAt(Instant.EPOCH)
            .setRunId("r")
            .setType(dev.baton.events.RunEventType.JOB_SUCCEEDED)
            .setCause("a")
            .build();
    assertEquals(
        List.of(quiet, b, a), Replay.inEngineOrder(List.of(a, b, quiet), List.of(byB, byA)));
  }

  @Test
  void aRecordTheEngineRefusedIsShownWithItsReasonAndNotApplied() throws Exception {
    Template v1 = template(1, 4);
    List<RunEvent> recorded = new ArrayList<>();
    List<Replay.Input> inputs = new ArrayList<>(record(v1, recorded));
    inputs.add(
        2,
        new Replay.Input(
            null, null, "refused completion for r1/list/1 has a wrong attempt token", 0, "c@9"));
    Replay.Result result = Replay.run(inputs, recorded, (name, version) -> v1, null);
    assertEquals(0, result.differing());
    assertTrue(
        result.steps().stream()
            .anyMatch(s -> s.input().event() == null && s.input().refused().contains("wrong")));
  }
}
