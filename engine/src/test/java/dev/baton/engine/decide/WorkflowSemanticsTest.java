package dev.baton.engine.decide;

import static dev.baton.engine.decide.Sim.dispatches;
import static dev.baton.engine.decide.Sim.eventTypes;
import static dev.baton.engine.decide.Sim.events;
import static dev.baton.engine.decide.Sim.started;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.EngineCommand.EnqueueRun;
import dev.baton.engine.decide.EngineCommand.Reject;
import dev.baton.engine.decide.EngineCommand.ReleaseRun;
import dev.baton.engine.state.StateJson;
import dev.baton.events.CompletionStatus;
import dev.baton.events.DispatchAction;
import dev.baton.events.RunCommandType;
import dev.baton.events.RunEventType;
import dev.baton.events.TimerKind;
import dev.baton.template.JobSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every workflow rule of the decision core, driven through simulated loops (decide → complete →
 * decide).
 */
class WorkflowSemanticsTest {

  @Nested
  class Dags {
    static final String DIAMOND =
        """
        name: diamond
        version: 1
        jobs:
          - {name: a, command: [a], outputs: [x]}
          - {name: b, command: [b, "${jobs.a.outputs.x}"], dependsOn: [a]}
          - {name: c, command: [c], dependsOn: [a]}
          - {name: d, command: [d], dependsOn: [b, c]}
        """;

    @Test
    void jobsWhoseDependenciesAreMetRunInParallelAndFanInWaitsForAll() {
      Sim sim = new Sim(DIAMOND);
      assertEquals(List.of("a"), started(sim.trigger()));
      assertEquals(List.of("b", "c"), started(sim.succeed("a", Map.of("x", "1"))));
      assertEquals(List.of(), started(sim.succeed("c")));
      assertEquals(JobStatus.PENDING, sim.status("d"));
      assertEquals(List.of("d"), started(sim.succeed("b")));
      assertEquals(
          List.of(RunEventType.JOB_SUCCEEDED, RunEventType.RUN_SUCCEEDED),
          eventTypes(sim.succeed("d")));
      assertEquals(RunStatus.SUCCEEDED, sim.state.status());
    }

    @Test
    void emptyDependsOnMakesRootsThatStartTogether() {
      Sim sim =
          new Sim(
              """
          name: roots
          version: 1
          jobs:
            - {name: a, command: [a]}
            - {name: b, command: [b], dependsOn: []}
            - {name: c, command: [c]}
          """);
      assertEquals(List.of("a", "b"), started(sim.trigger()));
      assertEquals(
          List.of("c"), started(sim.succeed("b")), "c depends on the job listed before it: b");
      assertEquals(List.of(), started(sim.succeed("a")));
    }

    @Test
    void failureStopsRunningSiblingsAndFailsTheRun() {
      Sim sim = new Sim(DIAMOND);
      sim.trigger();
      sim.succeed("a", Map.of("x", "1"));
      Decision d = sim.fail("b", 2);
      assertEquals(
          List.of("c"), dispatches(d, DispatchAction.STOP).stream().map(x -> x.getJob()).toList());
      assertEquals(JobStatus.CANCELLED, sim.status("c"));
      assertEquals(JobStatus.PENDING, sim.status("d"));
      assertEquals(RunStatus.FAILED, sim.state.status());
    }
  }

  @Nested
  class Conditions {
    static final String BRANCH =
        """
        name: branch
        version: 1
        params:
          env: {default: dev}
        jobs:
          - {name: check, command: [check], outputs: [ok]}
          - name: deploy
            command: [deploy]
            when: "params.env == 'prod' && jobs.check.outputs.ok == 'yes'"
            outputs: [url]
          - {name: announce, command: [announce, "${jobs.deploy.outputs.url}"], dependsOn: [deploy]}
          - {name: report, command: [report], dependsOn: [deploy]}
        """;

    @Test
    void falseConditionSkipsAndSkippingPropagatesToJobsThatNeedItsOutputs() {
      Sim sim = new Sim(BRANCH);
      sim.trigger();
      Decision d = sim.succeed("check", Map.of("ok", "yes"));
      assertEquals(JobStatus.SKIPPED, sim.status("deploy"));
      assertEquals(JobStatus.SKIPPED, sim.status("announce"));
      assertEquals(List.of("report"), started(d));
      assertEquals(2, eventTypes(d).stream().filter(t -> t == RunEventType.JOB_SKIPPED).count());
      sim.succeed("report");
      assertEquals(RunStatus.SUCCEEDED, sim.state.status());
    }

    @Test
    void trueConditionRuns() {
      Sim sim = new Sim(BRANCH);
      sim.trigger(Map.of("env", "prod"));
      assertEquals(List.of("deploy"), started(sim.succeed("check", Map.of("ok", "yes"))));
      assertEquals(
          List.of("announce", "report"),
          started(sim.succeed("deploy", Map.of("url", "https://x"))));
    }

    @Test
    void conditionThatCannotBeEvaluatedFailsTheJob() {
      Sim sim =
          new Sim(
              """
          name: bad-when
          version: 1
          jobs:
            - {name: a, command: [a], outputs: [n]}
            - {name: b, command: [b], when: "int(jobs.a.outputs.n) > 2"}
          """);
      sim.trigger();
      sim.succeed("a", Map.of("n", "many"));
      assertEquals(JobStatus.FAILED, sim.status("b"));
      assertTrue(
          sim.state.job("b").error().startsWith("condition cannot be evaluated"),
          sim.state.job("b").error());
      assertEquals(RunStatus.FAILED, sim.state.status());
    }
  }

  @Nested
  class FanOuts {
    static String fanOut(String list, int maxParallel) {
      return """
          name: fan
          version: 1
          jobs:
            - {name: list, command: [list], outputs: [items]}
            - name: work
              forEach: "%s"
              maxParallel: %d
              command: [work, "${item}"]
              outputs: [size]
            - {name: sum, command: [sum, "${jobs.work.outputs.size}"]}
          """
          .formatted(list, maxParallel);
    }

    @Test
    void instancesRunAtMostMaxParallelAndDownstreamSeesTheirOutputsAsAList() {
      Sim sim = new Sim(fanOut("jobs.list.outputs.items", 2));
      sim.trigger();
      Decision d = sim.succeed("list", Map.of("items", "[\"a\",\"b\",\"c\"]"));
      assertEquals(List.of("work[0]", "work[1]"), started(d));
      assertEquals(List.of("work", "a"), dispatches(d, DispatchAction.START).get(0).getCommand());
      assertEquals(
          List.of("work[2]"),
          started(sim.complete("work", 1, 1, CompletionStatus.SUCCEEDED, 0, Map.of("size", "20"))));
      sim.complete("work", 2, 1, CompletionStatus.SUCCEEDED, 0, Map.of("size", "30"));
      Decision last =
          sim.complete("work", 0, 1, CompletionStatus.SUCCEEDED, 0, Map.of("size", "10"));
      assertEquals(JobStatus.SUCCEEDED, sim.status("work"));
      assertEquals("[\"10\",\"20\",\"30\"]", sim.state.job("work").outputs().get("size"));
      assertEquals(
          List.of("sum", "[\"10\",\"20\",\"30\"]"),
          dispatches(last, DispatchAction.START).get(0).getCommand());
    }

    @Test
    void tenThousandItemsKeepTheRunDocumentSmallAndWriteOneInstancePerCompletion() {
      Sim sim = new Sim(fanOut("jobs.list.outputs.items", 50));
      sim.trigger();
      String items =
          IntStream.range(0, 10_000)
              .mapToObj(Integer::toString)
              .collect(Collectors.joining(",", "[", "]"));
      assertEquals(50, started(sim.succeed("list", Map.of("items", items))).size());
      assertEquals(10_000, sim.store.size());
      int maxDocument = 0;
      int maxWrites = 0;
      for (int i = 0; i < 10_000; i++) {
        sim.complete("work", i, 1, CompletionStatus.SUCCEEDED, 0, Map.of("size", "1"));
        if (i < 9_999) {
          maxDocument = Math.max(maxDocument, StateJson.write(sim.state.withoutOutputs()).length());
          maxWrites = Math.max(maxWrites, sim.lastItemWrites);
        }
      }
      // The list itself is the output of job 'list': stored apart, not rewritten by instance
      // completions.
      assertTrue(maxDocument < 2_000, "run document grew to " + maxDocument + " bytes");
      assertEquals(2, maxWrites, "a completion writes its instance and dispatches the next one");
      assertEquals(JobStatus.SUCCEEDED, sim.status("work"));
      assertEquals(RunStatus.RUNNING, sim.state.status());
      assertEquals(List.of("sum"), List.of(sim.state.job("sum").name()));
      assertEquals(JobStatus.RUNNING, sim.status("sum"));
    }

    @Test
    void emptyListSucceedsAtOnceWithEmptyOutputs() {
      Sim sim = new Sim(fanOut("[]", 0));
      sim.trigger();
      Decision d = sim.succeed("list", Map.of("items", "[]"));
      assertEquals(JobStatus.SUCCEEDED, sim.status("work"));
      assertEquals("[]", sim.state.job("work").outputs().get("size"));
      assertEquals(List.of("sum"), started(d));
    }

    @Test
    void listThatIsNotAListFailsTheJob() {
      Sim sim = new Sim(fanOut("jobs.list.outputs.items", 0));
      sim.trigger();
      sim.succeed("list", Map.of("items", "not a list"));
      assertEquals(JobStatus.FAILED, sim.status("work"));
      assertTrue(
          sim.state.job("work").error().contains("not a list"), sim.state.job("work").error());
    }

    @Test
    void failedInstanceRetriesThenFailsTheJobStopsTheOthersAndRerunRequeuesIt() {
      Sim sim =
          new Sim(
              """
          name: fan
          version: 1
          jobs:
            - name: work
              forEach: "[1, 2, 3]"
              retry: {limit: 1, backoff: {initial: 1s}}
              command: [work, "${item}"]
          """);
      sim.trigger();
      assertEquals(List.of("work[0]", "work[1]", "work[2]"), started(sim.last));
      sim.complete("work", 0, 1, CompletionStatus.SUCCEEDED, 0, Map.of());
      sim.complete("work", 1, 1, CompletionStatus.FAILED, 1, Map.of());
      assertEquals(JobStatus.WAITING, sim.store.get("work/1").status());
      sim.advance(Duration.ofSeconds(1));
      assertEquals(List.of("work[1]"), started(sim.last));
      Decision failed = sim.complete("work", 1, 2, CompletionStatus.FAILED, 1, Map.of());
      assertEquals(
          List.of(2),
          dispatches(failed, DispatchAction.STOP).stream().map(x -> x.getItem()).toList());
      assertEquals(JobStatus.FAILED, sim.status("work"));
      assertEquals(RunStatus.FAILED, sim.state.status());
      Decision rerun = sim.command(RunCommandType.RETRY);
      assertEquals(List.of("work[1]", "work[2]"), started(rerun));
      assertEquals(3, dispatches(rerun, DispatchAction.START).get(0).getAttempt());
      sim.complete("work", 1, 3, CompletionStatus.SUCCEEDED, 0, Map.of());
      sim.complete("work", 2, 2, CompletionStatus.SUCCEEDED, 0, Map.of());
      assertEquals(RunStatus.SUCCEEDED, sim.state.status());
    }
  }

  @Nested
  class Retries {
    static final String FLAKY =
        """
        name: flaky
        version: 1
        jobs:
          - name: call
            command: [call]
            retry: {limit: 2, backoff: {initial: 100ms, factor: 2, max: 1s}, on: [failed, timeout]}
        """;

    @Test
    void failedAttemptWaitsForItsBackoffThenRunsAgain() {
      Sim sim = new Sim(FLAKY);
      sim.trigger();
      Decision d = sim.fail("call", 1);
      assertEquals(JobStatus.WAITING, sim.status("call"));
      assertEquals(List.of(RunEventType.JOB_RETRYING), eventTypes(d));
      assertEquals(Sim.T0.plusMillis(100), sim.timers.get("r1/call/1/retry").getDueAt());
      sim.advance(Duration.ofMillis(99));
      assertEquals(JobStatus.WAITING, sim.status("call"));
      sim.advance(Duration.ofMillis(1));
      assertEquals(List.of("call"), started(sim.last));
      assertEquals(2, sim.state.job("call").attempt());
      sim.fail("call", 1);
      assertEquals(Sim.T0.plusMillis(100 + 200), sim.timers.get("r1/call/2/retry").getDueAt());
      sim.advance(Duration.ofMillis(200));
      sim.succeed("call");
      assertEquals(RunStatus.SUCCEEDED, sim.state.status());
      assertEquals(3, sim.state.job("call").attempt());
    }

    @Test
    void lastAttemptFailingFailsTheRun() {
      Sim sim = new Sim(FLAKY);
      sim.trigger();
      for (int attempt = 1; attempt <= 2; attempt++) {
        sim.fail("call", 1);
        sim.advance(Duration.ofSeconds(1));
      }
      sim.fail("call", 1);
      assertEquals(JobStatus.FAILED, sim.status("call"));
      assertEquals(RunStatus.FAILED, sim.state.status());
    }

    @Test
    void onlyListedFailuresAreRetried() {
      Sim sim =
          new Sim(
              """
          name: picky
          version: 1
          jobs:
            - {name: call, command: [call], retry: {limit: 3, on: ["75"]}}
          """);
      sim.trigger();
      sim.fail("call", 75);
      assertEquals(JobStatus.WAITING, sim.status("call"));
      sim.advance(Duration.ofSeconds(1));
      sim.fail("call", 1);
      assertEquals(JobStatus.FAILED, sim.status("call"));
    }

    @Test
    void staleRetryTimerChangesNothing() {
      Sim sim = new Sim(FLAKY);
      sim.trigger();
      sim.fail("call", 1);
      var timer = sim.timers.get("r1/call/1/retry");
      sim.advance(Duration.ofMillis(100));
      Decision stale = sim.apply(new EngineEvent.TimerDue("r1", timer));
      assertTrue(stale.commands().get(0) instanceof EngineCommand.Ignore);
    }
  }

  @Nested
  class Timeouts {
    static final String SLOW =
        """
        name: slow
        version: 1
        timeout: 1m
        jobs:
          - {name: a, command: [a], timeout: 2s, retry: {limit: 1, backoff: {initial: 1s}, on: [timeout]}}
          - {name: b, command: [b]}
        """;

    @Test
    void jobTimeoutGoesToTheRuntimeAndToAnEngineTimerFromTheAttemptsStart() {
      Sim sim = new Sim(SLOW);
      Decision d = sim.trigger();
      assertEquals(2000L, dispatches(d, DispatchAction.START).get(0).getTimeoutMs());
      assertEquals(
          Sim.T0.plus(JobSpec.DEFAULT_START_TIMEOUT),
          sim.timers.get("r1/a/1/timeout").getDueAt(),
          "until a dispatcher starts it, the attempt has its start timeout");
      sim.advance(Duration.ofSeconds(30)); // waiting for a free slot
      assertEquals(
          JobStatus.RUNNING,
          sim.status("a"),
          "waiting for a slot does not count against the job's timeout");
      sim.complete("a", null, 1, CompletionStatus.STARTED, null, Map.of());
      assertEquals(
          Sim.T0.plusSeconds(32).plus(Dispatches.TIMEOUT_GRACE),
          sim.timers.get("r1/a/1/timeout").getDueAt());
      assertEquals(Sim.T0.plusSeconds(30), sim.state.job("a").startedAt());
      sim.complete("a", null, 1, CompletionStatus.TIMED_OUT, null, Map.of());
      assertEquals(JobStatus.WAITING, sim.status("a"));
      assertTrue(
          !sim.timers.containsKey("r1/a/1/timeout"),
          "the reported timeout cancels the engine's timer");
    }

    @Test
    void lostRuntimeIsStoppedAndFailedByTheEngineTimer() {
      Sim sim = new Sim(SLOW);
      sim.trigger();
      sim.complete("a", null, 1, CompletionStatus.STARTED, null, Map.of());
      sim.advance(Duration.ofSeconds(7));
      assertEquals(JobStatus.WAITING, sim.status("a"), "timeout counts as a failure for retry");
      sim.advance(Duration.ofSeconds(1));
      assertEquals(2, sim.state.job("a").attempt());
      sim.complete("a", null, 2, CompletionStatus.STARTED, null, Map.of());
      sim.advance(Duration.ofSeconds(7));
      assertEquals(JobStatus.FAILED, sim.status("a"));
      assertTrue(sim.state.job("a").error().startsWith("timed out"), sim.state.job("a").error());
      assertEquals(RunStatus.FAILED, sim.state.status());
    }

    @Test
    void attemptNoDispatcherStartsFailsAsLostAtItsStartTimeoutAndIsRetried() {
      Sim sim =
          new Sim(
              """
          name: orphan
          version: 1
          jobs:
            - {name: a, command: [a], startTimeout: 30s, retry: {limit: 1, backoff: {initial: 1s}, on: [lost]}}
          """);
      sim.trigger();
      sim.advance(Duration.ofSeconds(29));
      assertEquals(JobStatus.RUNNING, sim.status("a"));
      sim.advance(Duration.ofSeconds(1));
      assertEquals(JobStatus.WAITING, sim.status("a"), "not started: a lost attempt, retried");
      assertTrue(sim.state.job("a").error().startsWith("not started"), sim.state.job("a").error());
      assertEquals(
          List.of("a"),
          dispatches(sim.last, DispatchAction.STOP).stream().map(x -> x.getJob()).toList());
      sim.advance(Duration.ofSeconds(1));
      assertEquals(2, sim.state.job("a").attempt());
      sim.complete("a", null, 2, CompletionStatus.STARTED, null, Map.of());
      assertTrue(
          !sim.timers.containsKey("r1/a/2/timeout"),
          "a started job without a timeout has no timer");
      sim.advance(Duration.ofHours(1));
      sim.complete("a", null, 2, CompletionStatus.SUCCEEDED, 0, Map.of());
      assertEquals(RunStatus.SUCCEEDED, sim.state.status());
    }

    @Test
    void lateOrRepeatedStartChangesNothing() {
      Sim sim = new Sim(SLOW);
      sim.trigger();
      sim.complete("a", null, 1, CompletionStatus.STARTED, null, Map.of());
      Decision again = sim.complete("a", null, 1, CompletionStatus.STARTED, null, Map.of());
      assertTrue(
          again.commands().get(0) instanceof EngineCommand.Ignore, again.commands().toString());
      Decision stale = sim.complete("a", null, 7, CompletionStatus.STARTED, null, Map.of());
      assertTrue(
          stale.commands().get(0) instanceof EngineCommand.Ignore, stale.commands().toString());
    }

    @Test
    void runTimeoutFailsTheRunAndStopsRunningJobs() {
      Sim sim = new Sim(SLOW);
      sim.trigger();
      sim.succeed("a");
      assertEquals(JobStatus.RUNNING, sim.status("b"));
      sim.advance(Duration.ofMinutes(1));
      assertEquals(RunStatus.FAILED, sim.state.status());
      assertTrue(sim.state.detail().startsWith("run timed out"), sim.state.detail());
      assertEquals(
          List.of("b"),
          dispatches(sim.last, DispatchAction.STOP).stream().map(x -> x.getJob()).toList());
      assertTrue(sim.timers.isEmpty(), "no timer outlives the run: " + sim.timers.keySet());
    }
  }

  @Nested
  class CancelAndRerun {
    static final String PAIR =
        """
        name: pair
        version: 1
        jobs:
          - {name: a, command: [a], outputs: [x]}
          - {name: b, command: [b], dependsOn: [a]}
          - {name: c, command: [c], dependsOn: [a], retry: {limit: 1}}
          - {name: d, command: [d, "${jobs.a.outputs.x}"], dependsOn: [b, c]}
        """;

    @Test
    void cancelWhileTwoJobsRunStopsBoth() {
      Sim sim = new Sim(PAIR);
      sim.trigger();
      sim.succeed("a", Map.of("x", "1"));
      Decision d = sim.command(RunCommandType.CANCEL);
      assertEquals(
          List.of("r1/b/1", "r1/c/1"),
          dispatches(d, DispatchAction.STOP).stream().map(x -> x.getAttemptId()).toList());
      assertEquals(RunStatus.CANCELLED, sim.state.status());
      assertEquals(JobStatus.CANCELLED, sim.status("b"));
      assertTrue(
          sim.command(RunCommandType.CANCEL).commands().get(0) instanceof EngineCommand.Ignore);
    }

    @Test
    void cancelWhileWaitingForARetryDropsTheTimer() {
      Sim sim = new Sim(PAIR);
      sim.trigger();
      sim.succeed("a", Map.of("x", "1"));
      sim.fail("c", 1);
      sim.command(RunCommandType.CANCEL);
      assertEquals(JobStatus.CANCELLED, sim.status("c"));
      assertTrue(sim.timers.isEmpty());
    }

    @Test
    void rerunRestartsFailedJobsAndKeepsSucceededOutputs() {
      Sim sim = new Sim(PAIR);
      sim.trigger();
      sim.succeed("a", Map.of("x", "42"));
      sim.fail("b", 3);
      assertEquals(RunStatus.FAILED, sim.state.status());
      Decision rerun = sim.command(RunCommandType.RETRY);
      assertEquals(RunEventType.RUN_RETRIED, eventTypes(rerun).get(0));
      assertEquals(List.of("b", "c"), started(rerun));
      assertEquals(2, sim.state.job("b").attempt(), "a rerun attempt has a new attempt id");
      assertEquals(Map.of("x", "42"), sim.state.job("a").outputs());
      sim.succeed("b");
      sim.succeed("c");
      assertEquals(
          List.of("d", "42"), dispatches(sim.last, DispatchAction.START).get(0).getCommand());
      sim.succeed("d");
      assertEquals(RunStatus.SUCCEEDED, sim.state.status());
    }

    @Test
    void onlyAFailedRunCanBeRerun() {
      Sim sim = new Sim(PAIR);
      sim.trigger();
      Decision d = sim.command(RunCommandType.RETRY);
      assertTrue(((Reject) d.commands().get(0)).reason().contains("only a FAILED run"));
    }
  }

  @Nested
  class ExitHandler {
    static final String WITH_EXIT =
        """
        name: tidy
        version: 1
        jobs:
          - {name: work, command: [work]}
        onExit:
          name: cleanup
          command: [cleanup, "${run.status}"]
        """;

    @Test
    void runsOnceAfterSuccessWithTheOutcome() {
      Sim sim = new Sim(WITH_EXIT);
      sim.trigger();
      Decision d = sim.succeed("work");
      assertEquals(
          List.of("cleanup", "SUCCEEDED"), dispatches(d, DispatchAction.START).get(0).getCommand());
      assertEquals(
          "SUCCEEDED", dispatches(d, DispatchAction.START).get(0).getEnv().get("BATON_RUN_STATUS"));
      assertEquals(RunStatus.RUNNING, sim.state.status());
      assertTrue(!eventTypes(d).contains(RunEventType.RUN_SUCCEEDED));
      assertEquals(
          List.of(RunEventType.JOB_SUCCEEDED, RunEventType.RUN_SUCCEEDED),
          eventTypes(sim.succeed("cleanup")));
      assertEquals(RunStatus.SUCCEEDED, sim.state.status());
    }

    @Test
    void runsAfterFailureAndCancel() {
      Sim failed = new Sim(WITH_EXIT);
      failed.trigger();
      assertEquals(
          List.of("cleanup", "FAILED"),
          dispatches(failed.fail("work", 1), DispatchAction.START).get(0).getCommand());
      failed.succeed("cleanup");
      assertEquals(RunStatus.FAILED, failed.state.status());

      Sim cancelled = new Sim(WITH_EXIT);
      cancelled.trigger();
      assertEquals(
          List.of("cleanup", "CANCELLED"),
          dispatches(cancelled.command(RunCommandType.CANCEL), DispatchAction.START)
              .get(0)
              .getCommand());
      assertTrue(
          cancelled.command(RunCommandType.CANCEL).commands().get(0)
              instanceof EngineCommand.Ignore);
      cancelled.succeed("cleanup");
      assertEquals(RunStatus.CANCELLED, cancelled.state.status());
    }

    @Test
    void failingExitHandlerFailsASuccessfulRun() {
      Sim sim = new Sim(WITH_EXIT);
      sim.trigger();
      sim.succeed("work");
      sim.fail("cleanup", 1);
      assertEquals(RunStatus.FAILED, sim.state.status());
      assertEquals("exit handler 'cleanup' failed", sim.state.detail());
    }

    @Test
    void aRerunRunsTheExitHandlerAgainWithTheNewOutcome() {
      Sim sim = new Sim(WITH_EXIT);
      sim.trigger();
      sim.fail("work", 1);
      sim.succeed("cleanup");
      assertEquals(RunStatus.FAILED, sim.state.status());

      sim.command(RunCommandType.RETRY);
      assertEquals(JobStatus.PENDING, sim.state.job("cleanup").status());
      assertTrue(sim.last.transitions().contains("job:SUCCEEDED->PENDING"));
      Decision d = sim.succeed("work");
      assertEquals(
          List.of("cleanup", "SUCCEEDED"), dispatches(d, DispatchAction.START).get(0).getCommand());
      sim.succeed("cleanup");
      assertEquals(RunStatus.SUCCEEDED, sim.state.status());
    }
  }

  @Nested
  class ConcurrencyLimit {
    static final String LIMITED =
        """
        name: limited
        version: 1
        maxConcurrentRuns: 2
        jobs:
          - {name: a, command: [a]}
        """;

    @Test
    void runWaitsQueuedUntilAdmittedAndReleasesItsSlotWhenItEnds() {
      Sim sim = new Sim(LIMITED);
      Decision queued = sim.trigger();
      assertEquals(RunStatus.QUEUED, sim.state.status());
      assertEquals(List.of(RunEventType.RUN_QUEUED), eventTypes(queued));
      assertTrue(queued.commands().contains(new EnqueueRun("limited", 2)));
      assertEquals(List.of("a"), started(sim.command(RunCommandType.ADMIT)));
      assertTrue(
          sim.command(RunCommandType.ADMIT).commands().get(0) instanceof EngineCommand.Ignore);
      Decision end = sim.succeed("a");
      assertTrue(end.commands().contains(new ReleaseRun("limited")));
    }

    @Test
    void queuedRunCanBeCancelled() {
      Sim sim = new Sim(LIMITED);
      sim.trigger();
      Decision d = sim.command(RunCommandType.CANCEL);
      assertEquals(RunStatus.CANCELLED, sim.state.status());
      assertTrue(d.commands().contains(new ReleaseRun("limited")));
      assertNull(sim.state.job("a").dispatchedAt());
    }
  }

  @Test
  void lifecycleEventsCarryItemAndAttempt() {
    Sim sim = new Sim(FanOuts.fanOut("[7]", 0));
    sim.trigger();
    Decision d = sim.succeed("list", Map.of("items", "[]"));
    var dispatched =
        events(d).stream()
            .filter(e -> e.getType() == RunEventType.JOB_DISPATCHED && e.getItem() != null)
            .findFirst()
            .orElseThrow();
    assertEquals(0, dispatched.getItem());
    assertEquals("r1/work[0]/1/JOB_DISPATCHED", dispatched.getEventId());
    assertEquals(TimerKind.RETRY, TimerKind.valueOf("RETRY"));
  }
}
