package dev.baton.engine.decide;

import static dev.baton.engine.decide.Sim.dispatches;
import static dev.baton.engine.decide.Sim.eventTypes;
import static dev.baton.engine.decide.Sim.events;
import static dev.baton.engine.decide.Sim.started;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.EngineCommand.AwaitEvent;
import dev.baton.engine.decide.EngineCommand.Ignore;
import dev.baton.engine.decide.EngineCommand.Reject;
import dev.baton.engine.decide.EngineCommand.StopAwaiting;
import dev.baton.events.CompletionStatus;
import dev.baton.events.DispatchAction;
import dev.baton.events.RunCommandType;
import dev.baton.events.RunEventType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Wait steps (events, approvals) and pause/resume, driven through simulated loops. */
class WaitsTest {
  static final String ORDER =
      """
      name: order
      version: 1
      params:
        orderId: {required: true}
      jobs:
        - {name: place, command: [place, "${params.orderId}"]}
        - name: await-payment
          wait:
            event:
              topic: payments.settled
              key: event.orderId
              match: "order-${params.orderId}"
              filter: "event.status == 'OK'"
              outputs: {amount: "event.amount"}
            timeout: 2h
        - {name: ship, command: [ship, "${jobs.await-payment.outputs.amount}"]}
      onExit: {name: notify, command: [notify]}
      """;

  static final String APPROVAL =
      """
      name: approval
      version: 1
      params:
        orderId: {required: true}
      jobs:
        - name: approve
          wait:
            approval: {prompt: "Ship order ${params.orderId}?", inputs: [comment]}
          retry: {limit: 3}
        - {name: ship, command: [ship, "${jobs.approve.outputs.comment}"]}
      """;

  static List<AwaitEvent> awaits(Decision d) {
    return d.commands().stream()
        .filter(c -> c instanceof AwaitEvent)
        .map(c -> (AwaitEvent) c)
        .toList();
  }

  static List<StopAwaiting> stops(Decision d) {
    return d.commands().stream()
        .filter(c -> c instanceof StopAwaiting)
        .map(c -> (StopAwaiting) c)
        .toList();
  }

  static boolean rejected(Decision d) {
    return d.commands().stream().anyMatch(c -> c instanceof Reject);
  }

  static boolean ignored(Decision d) {
    return d.commands().stream().anyMatch(c -> c instanceof Ignore);
  }

  static Sim waitingForPayment() {
    Sim sim = new Sim(ORDER);
    sim.trigger(Map.of("orderId", "42"));
    sim.succeed("place");
    return sim;
  }

  @Nested
  class Events {
    @Test
    void aWaitStepDispatchesNothingAndAwaitsItsKey() {
      Sim sim = new Sim(ORDER);
      sim.trigger(Map.of("orderId", "42"));
      Decision d = sim.succeed("place");
      assertEquals(List.of(), started(d));
      assertEquals(
          List.of(
              new AwaitEvent(
                  "payments.settled",
                  "order-42",
                  "r1",
                  "await-payment",
                  1,
                  "order@1/await-payment",
                  Sim.T0.plus(Duration.ofHours(2)))),
          awaits(d));
      JobState job = sim.state.job("await-payment");
      assertEquals(JobStatus.RUNNING, job.status());
      assertEquals("order-42", job.awaiting().key());
      assertEquals(Sim.T0.plus(Duration.ofHours(2)), job.awaiting().until());
      assertEquals(List.of(RunEventType.JOB_SUCCEEDED, RunEventType.JOB_WAITING), eventTypes(d));
      assertTrue(events(d).get(1).getDetail().contains("payments.settled with key order-42"));
    }

    @Test
    void aDeliveredEventCompletesTheStepWithItsOutputsOnce() {
      Sim sim = waitingForPayment();
      Decision d =
          sim.command(RunCommandType.DELIVER, "await-payment", 1, Map.of("amount", "9.5"), "e1");
      assertEquals(JobStatus.SUCCEEDED, sim.status("await-payment"));
      assertEquals(Map.of("amount", "9.5"), sim.state.job("await-payment").outputs());
      assertNull(sim.state.job("await-payment").awaiting());
      assertEquals(1, stops(d).size());
      assertEquals(List.of("ship", "9.5"), dispatches(d, DispatchAction.START).get(0).getCommand());
      assertEquals(
          List.of("r1/ship/1/timeout"),
          List.copyOf(sim.timers.keySet()),
          "the wait's timeout is cancelled");
      Decision again =
          sim.command(RunCommandType.DELIVER, "await-payment", 1, Map.of("amount", "1"), "e2");
      assertTrue(ignored(again));
      assertEquals(Map.of("amount", "9.5"), sim.state.job("await-payment").outputs());
    }

    @Test
    void anEventForAnotherAttemptOrAJobThatDoesNotWaitChangesNothing() {
      Sim sim = waitingForPayment();
      assertTrue(
          ignored(
              sim.command(
                  RunCommandType.DELIVER, "await-payment", 2, Map.of("amount", "1"), "e1")));
      assertTrue(
          rejected(sim.command(RunCommandType.DELIVER, "ship", 1, Map.of("amount", "1"), "e1")));
      assertEquals(JobStatus.RUNNING, sim.status("await-payment"));
    }

    @Test
    void anEventWithoutTheDeclaredOutputFailsTheAttempt() {
      Sim sim = waitingForPayment();
      sim.command(RunCommandType.DELIVER, "await-payment", 1, Map.of(), "e1");
      assertEquals(JobStatus.FAILED, sim.status("await-payment"));
      assertTrue(sim.state.job("await-payment").error().contains("no output 'amount'"));
    }

    @Test
    void aWaitThatTimesOutFailsTheRunAndItsExitHandlerRuns() {
      Sim sim = waitingForPayment();
      sim.advance(Duration.ofHours(2));
      assertEquals(JobStatus.FAILED, sim.status("await-payment"));
      assertTrue(sim.state.job("await-payment").error().contains("no event within"));
      assertEquals(1, stops(sim.last).size());
      assertEquals(List.of("notify"), started(sim.last));
      sim.succeed("notify");
      assertEquals(RunStatus.FAILED, sim.state.status());
    }

    @Test
    void aCompletionReportedForAWaitStepIsRefused() {
      Sim sim = waitingForPayment();
      Decision d =
          sim.complete(
              "await-payment", null, 1, CompletionStatus.SUCCEEDED, 0, Map.of("amount", "1"));
      assertTrue(rejected(d));
      assertEquals(JobStatus.RUNNING, sim.status("await-payment"));
    }

    @Test
    void cancellingTheRunStopsTheWait() {
      Sim sim = waitingForPayment();
      Decision d = sim.command(RunCommandType.CANCEL);
      assertEquals(1, stops(d).size());
      assertEquals(JobStatus.CANCELLED, sim.status("await-payment"));
      assertTrue(dispatches(d, DispatchAction.STOP).isEmpty(), "a wait has nothing to stop");
    }
  }

  @Nested
  class Approvals {
    static Sim waiting() {
      Sim sim = new Sim(APPROVAL);
      sim.trigger(Map.of("orderId", "7"));
      return sim;
    }

    @Test
    void anApprovalWaitsWithItsPromptAndNeedsNoSubscription() {
      Sim sim = waiting();
      assertTrue(awaits(sim.last).isEmpty());
      JobState.Awaiting a = sim.state.job("approve").awaiting();
      assertEquals("Ship order 7?", a.prompt());
      assertEquals(List.of("comment"), a.inputs());
      assertTrue(a.approval());
    }

    @Test
    void approvingCompletesTheStepWithItsInputs() {
      Sim sim = waiting();
      Decision d =
          sim.command(RunCommandType.APPROVE, "approve", 1, Map.of("comment", "ok"), "ann");
      assertEquals(JobStatus.SUCCEEDED, sim.status("approve"));
      assertEquals(List.of("ship", "ok"), dispatches(d, DispatchAction.START).get(0).getCommand());
      assertTrue(events(d).get(0).getDetail().contains("approved by ann"));
    }

    @Test
    void anInputNotGivenIsEmptyAndAnUnknownOneIsRefused() {
      Sim sim = waiting();
      assertTrue(
          rejected(sim.command(RunCommandType.APPROVE, "approve", 1, Map.of("colour", "x"), null)));
      assertEquals(JobStatus.RUNNING, sim.status("approve"));
      sim.command(RunCommandType.APPROVE, "approve", 1, Map.of(), null);
      assertEquals(Map.of("comment", ""), sim.state.job("approve").outputs());
    }

    @Test
    void rejectingFailsTheStepForGoodWhateverItsRetry() {
      Sim sim = waiting();
      sim.command(RunCommandType.REJECT, "approve", 1, Map.of(), "bob");
      assertEquals(JobStatus.FAILED, sim.status("approve"));
      assertEquals(RunStatus.FAILED, sim.state.status());
      assertTrue(sim.state.job("approve").error().contains("rejected by bob"));
    }

    @Test
    void anApprovalOfAStepThatIsNotWaitingIsRefused() {
      Sim sim = waiting();
      sim.command(RunCommandType.APPROVE, "approve", 1, Map.of(), null);
      Decision again = sim.command(RunCommandType.APPROVE, "approve", 1, Map.of(), null);
      assertTrue(rejected(again));
      assertTrue(
          rejected(sim.command(RunCommandType.APPROVE, "ship", 1, Map.of(), null)),
          "ship is no approval step");
    }
  }

  @Nested
  class ApprovalsAnswerOneAttempt {
    static final String TIMED =
        """
        name: timed-approval
        version: 1
        jobs:
          - name: approve
            wait:
              approval: {prompt: "go?"}
              timeout: 1m
          - {name: ship, command: [ship]}
        """;

    @Test
    void anApprovalThatNamesNoAttemptIsRefused() {
      Sim sim = Approvals.waiting();
      Decision d = sim.command(RunCommandType.APPROVE, "approve", null, Map.of(), "ann");
      assertTrue(rejected(d));
      assertEquals(JobStatus.RUNNING, sim.status("approve"));
    }

    @Test
    void anApprovalOfTheAttemptBeforeARetryIsStale() {
      Sim sim = new Sim(TIMED);
      sim.trigger();
      sim.advance(java.time.Duration.ofMinutes(2));
      assertEquals(RunStatus.FAILED, sim.state.status());
      sim.command(RunCommandType.RETRY);
      assertEquals(2, sim.state.job("approve").attempt());

      Decision stale = sim.command(RunCommandType.APPROVE, "approve", 1, Map.of(), "ann");
      assertTrue(rejected(stale));
      assertEquals(JobStatus.RUNNING, sim.status("approve"));

      sim.command(RunCommandType.APPROVE, "approve", 2, Map.of(), "ann");
      assertEquals(JobStatus.SUCCEEDED, sim.status("approve"));
    }
  }

  @Nested
  class PauseAndResume {
    static final String RETRYING =
        """
        name: retrying
        version: 1
        jobs:
          - {name: a, command: [a], retry: {limit: 2, backoff: {initial: 10s}}}
          - {name: b, command: [b]}
        """;

    @Test
    void aPausedRunDispatchesNothingNewAndResumeGoesOn() {
      Sim sim = new Sim(RETRYING);
      sim.trigger();
      Decision p = sim.command(RunCommandType.PAUSE);
      assertEquals(List.of(RunEventType.RUN_PAUSED), eventTypes(p));
      assertTrue(sim.state.paused());
      Decision done = sim.succeed("a");
      assertEquals(List.of(), started(done), "the running job finished; nothing new started");
      assertEquals(JobStatus.PENDING, sim.status("b"));
      Decision r = sim.command(RunCommandType.RESUME);
      assertEquals(List.of("b"), started(r));
      assertFalse(sim.state.paused());
      sim.succeed("b");
      assertEquals(RunStatus.SUCCEEDED, sim.state.status());
    }

    @Test
    void aRetryDueWhilePausedWaitsForResume() {
      Sim sim = new Sim(RETRYING);
      sim.trigger();
      sim.fail("a", 1);
      sim.command(RunCommandType.PAUSE);
      sim.advance(Duration.ofSeconds(10));
      assertEquals(List.of(), started(sim.last));
      assertEquals(JobStatus.PENDING, sim.status("a"));
      Decision r = sim.command(RunCommandType.RESUME);
      assertEquals(2, dispatches(r, DispatchAction.START).get(0).getAttempt());
    }

    @Test
    void aPausedFanOutStartsNoMoreInstancesUntilResumed() {
      Sim sim =
          new Sim(
              """
              name: fan
              version: 1
              jobs:
                - {name: f, command: [f, "${item}"], forEach: "['a','b','c']", maxParallel: 1,
                   retry: {limit: 1, backoff: {initial: 5s}}}
              """);
      sim.trigger();
      sim.command(RunCommandType.PAUSE);
      sim.complete("f", 0, 1, CompletionStatus.FAILED, 1, Map.of());
      sim.advance(Duration.ofSeconds(5));
      assertEquals(List.of(), started(sim.last));
      assertEquals(List.of("f[0]"), started(sim.command(RunCommandType.RESUME)));
      assertEquals(
          List.of("f[1]"),
          started(sim.complete("f", 0, 2, CompletionStatus.SUCCEEDED, 0, Map.of())));
    }

    @Test
    void onlyARunningRunPausesAndOnlyAPausedOneResumes() {
      Sim sim = new Sim(RETRYING);
      sim.trigger();
      assertTrue(rejected(sim.command(RunCommandType.RESUME)));
      sim.command(RunCommandType.PAUSE);
      assertTrue(ignored(sim.command(RunCommandType.PAUSE)));
      sim.command(RunCommandType.CANCEL);
      assertEquals(RunStatus.CANCELLED, sim.state.status());
      assertFalse(sim.state.paused(), "an ended run is not paused");
      assertTrue(rejected(sim.command(RunCommandType.PAUSE)));
    }
  }
}
