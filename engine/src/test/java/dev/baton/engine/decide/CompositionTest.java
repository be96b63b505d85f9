package dev.baton.engine.decide;

import static dev.baton.engine.decide.Sim.eventTypes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.CompletionStatus;
import dev.baton.events.DispatchAction;
import dev.baton.events.ParentRun;
import dev.baton.events.RunCommandType;
import dev.baton.events.RunEventType;
import dev.baton.events.WorkflowTrigger;
import dev.baton.template.RunSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cached jobs and sub-workflows, decided: lookups, hits, misses, child runs and their reports. */
class CompositionTest {
  static final String CACHED =
      """
      name: cached
      version: 1
      params: {day: {default: "2026-11-01"}}
      jobs:
        - name: load
          command: [load, "${params.day}"]
          outputs: [rows]
          cache: {key: "load-${params.day}", ttl: 1d}
        - {name: report, command: [report, "${jobs.load.outputs.rows}"]}
      """;

  static final String PARENT =
      """
      name: parent
      version: 1
      jobs:
        - name: regions
          forEach: '["eu", "us", "ap"]'
          run: {template: regional, params: {region: "${item}"}}
          retry: {limit: 1}
        - {name: sum, command: [sum, "${jobs.regions.outputs.total}"]}
      """;

  static final String CHILD =
      """
      name: regional
      version: 1
      params: {region: {required: true}}
      outputs: {total: "${jobs.count.outputs.n}"}
      jobs:
        - {name: count, command: [count, "${params.region}"], outputs: [n]}
      """;

  private static EngineCommand.LookupCache lookup(Decision d) {
    return d.commands().stream()
        .filter(EngineCommand.LookupCache.class::isInstance)
        .map(EngineCommand.LookupCache.class::cast)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no lookup in " + d.commands()));
  }

  private static <T> List<T> commands(Decision d, Class<T> type) {
    return d.commands().stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void aHitSucceedsTheJobWithTheKeptOutputsAndRunsNothing() {
    Sim sim = new Sim(CACHED);
    Decision start = sim.trigger();
    assertEquals(List.of(), Sim.started(start), "a cached job looks up before it runs");
    EngineCommand.LookupCache l = lookup(start);
    assertEquals("load", l.job());
    assertEquals("load-2026-11-01", sim.state.job("load").cacheKey());
    Decision hit =
        sim.command(
            RunCommandType.CACHE_LOOKUP, "load", l.attempt(), Map.of("rows", "7"), "r0/load/1");
    assertEquals(JobStatus.SUCCEEDED, sim.status("load"));
    assertTrue(sim.state.job("load").cached());
    assertTrue(eventTypes(hit).contains(RunEventType.JOB_CACHED), eventTypes(hit).toString());
    assertEquals(List.of("report"), Sim.started(hit));
    assertEquals(
        List.of(), commands(hit, EngineCommand.StoreResult.class), "a hit is not kept again");
    sim.succeed("report");
    assertEquals(RunStatus.SUCCEEDED, sim.state.status());
  }

  @Test
  void aMissRunsTheSameAttemptAndKeepsItsResult() {
    Sim sim = new Sim(CACHED);
    int attempt = lookup(sim.trigger()).attempt();
    Decision miss = sim.command(RunCommandType.CACHE_LOOKUP, "load", attempt, Map.of(), null);
    assertEquals(List.of("load"), Sim.started(miss));
    assertEquals(attempt, sim.state.job("load").attempt());
    Decision done = sim.succeed("load", Map.of("rows", "9"));
    EngineCommand.StoreResult kept = commands(done, EngineCommand.StoreResult.class).get(0);
    assertEquals("cached", kept.template());
    assertEquals("load-2026-11-01", kept.key());
    assertEquals(Map.of("rows", "9"), kept.outputs());
    Decision again =
        sim.command(RunCommandType.CACHE_LOOKUP, "load", attempt, Map.of("rows", "1"), "x");
    assertEquals(Decision.class, again.getClass());
    assertTrue(again.commands().stream().anyMatch(EngineCommand.Ignore.class::isInstance), "stale");
  }

  @Test
  void aKeptResultWithoutAnOutputTheJobDeclaresIsNoHit() {
    Sim sim = new Sim(CACHED);
    int attempt = lookup(sim.trigger()).attempt();
    Decision d =
        sim.command(RunCommandType.CACHE_LOOKUP, "load", attempt, Map.of("old", "1"), "r0/load/1");
    assertEquals(List.of("load"), Sim.started(d), "kept by a version with other outputs: it runs");
  }

  @Test
  void aMissWhileThePauseHoldsWaitsForTheResume() {
    Sim sim = new Sim(CACHED);
    int attempt = lookup(sim.trigger()).attempt();
    sim.command(RunCommandType.PAUSE);
    Decision miss = sim.command(RunCommandType.CACHE_LOOKUP, "load", attempt, Map.of(), null);
    assertEquals(List.of(), Sim.started(miss));
    assertEquals(JobStatus.PENDING, sim.status("load"));
    Decision resumed = sim.command(RunCommandType.RESUME);
    lookup(resumed); // looks up again: another run may have kept a result meanwhile
  }

  @Test
  void eachInstanceStartsAChildWhoseEndCompletesIt() {
    Sim sim = new Sim(PARENT);
    Decision start = sim.trigger();
    List<WorkflowTrigger> children =
        commands(start, EngineCommand.StartChild.class).stream()
            .map(EngineCommand.StartChild::trigger)
            .toList();
    assertEquals(
        List.of("r1:regions.0.1", "r1:regions.1.1", "r1:regions.2.1"),
        children.stream().map(WorkflowTrigger::getRunId).toList());
    assertEquals(Map.of("region", "us"), children.get(1).getParams());
    assertEquals(1, children.get(1).getParent().getDepth());
    assertEquals(List.of(), Sim.started(start), "a child run is not dispatched");
    sim.complete("regions", 2, 1, CompletionStatus.SUCCEEDED, null, Map.of("total", "3"));
    sim.complete("regions", 0, 1, CompletionStatus.SUCCEEDED, null, Map.of("total", "1"));
    Decision retried = sim.complete("regions", 1, 1, CompletionStatus.FAILED, null, Map.of());
    assertEquals(List.of(), commands(retried, EngineCommand.StartChild.class));
    sim.advance(java.time.Duration.ofMinutes(1));
    Decision last =
        sim.complete("regions", 1, 2, CompletionStatus.SUCCEEDED, null, Map.of("total", "2"));
    assertEquals(
        "[\"1\",\"2\",\"3\"]", sim.state.job("regions").outputs().get("total"), "item order");
    assertEquals(List.of("sum"), Sim.started(last));
  }

  @Test
  void cancellingTheParentCancelsItsRunningChildren() {
    Sim sim = new Sim(PARENT);
    sim.trigger();
    sim.complete("regions", 0, 1, CompletionStatus.SUCCEEDED, null, Map.of("total", "1"));
    Decision cancel = sim.command(RunCommandType.CANCEL);
    assertEquals(
        List.of("r1:regions.1.1", "r1:regions.2.1"),
        commands(cancel, EngineCommand.CancelRun.class).stream()
            .map(EngineCommand.CancelRun::runId)
            .sorted()
            .toList());
    assertEquals(List.of(), Sim.dispatches(cancel, DispatchAction.STOP));
  }

  @Test
  void aChildReportsItsDeclaredOutputsOrItsFailureToItsParent() {
    Sim child = new Sim(CHILD);
    ParentRun link =
        ParentRun.newBuilder()
            .setRunId("p1")
            .setJob("regions")
            .setItem(4)
            .setAttempt(2)
            .setDepth(1)
            .build();
    child.apply(
        new EngineEvent.TriggerReceived(
            "r1",
            WorkflowTrigger.newBuilder()
                .setTemplate("regional")
                .setParams(Map.of("region", "eu"))
                .setParent(link)
                .build()));
    assertEquals(1, child.state.depth());
    Decision end = child.succeed("count", Map.of("n", "42"));
    var report = commands(end, EngineCommand.ReportToParent.class).get(0).completion();
    assertEquals("p1", report.getRunId());
    assertEquals(Integer.valueOf(4), report.getItem());
    assertEquals(2, report.getAttempt());
    assertEquals(CompletionStatus.SUCCEEDED, report.getStatus());
    assertEquals(Map.of("total", "42"), report.getOutputs());

    Decision refused =
        Sim.decide(
            null,
            new EngineEvent.TriggerReceived(
                "c2",
                WorkflowTrigger.newBuilder()
                    .setTemplate("regional")
                    .setParams(Map.of())
                    .setParent(link)
                    .build()),
            child.template,
            Sim.T0);
    var failed = commands(refused, EngineCommand.ReportToParent.class).get(0).completion();
    assertEquals(CompletionStatus.FAILED, failed.getStatus());
    assertTrue(
        failed.getErrorTail().contains("missing required parameter 'region'"),
        failed.getErrorTail());
    assertNull(refused.state());
  }

  @Test
  void aRunTooDeepDoesNotStartAnotherLevel() {
    Sim sim = new Sim(PARENT);
    ParentRun link =
        ParentRun.newBuilder()
            .setRunId("p")
            .setJob("j")
            .setAttempt(1)
            .setDepth(RunSpec.MAX_DEPTH)
            .build();
    Decision d =
        sim.apply(
            new EngineEvent.TriggerReceived(
                "r1", WorkflowTrigger.newBuilder().setTemplate("parent").setParent(link).build()));
    assertEquals(List.of(), commands(d, EngineCommand.StartChild.class));
    assertEquals(RunStatus.FAILED, sim.state.status());
    assertTrue(sim.state.detail().contains("runs nest at most 8"), sim.state.detail());
  }

  @Test
  void aChildThatOutlivesItsJobsTimeoutIsCancelledAndTheAttemptFails() {
    Sim sim =
        new Sim(
            """
            name: bounded
            version: 1
            jobs:
              - name: sub
                run: {template: regional, params: {region: eu}}
                timeout: 1m
            """);
    sim.trigger();
    assertEquals(JobStatus.RUNNING, sim.status("sub"));
    sim.complete("sub", null, 1, CompletionStatus.STARTED, null, Map.of()); // the child exists
    sim.advance(java.time.Duration.ofSeconds(61));
    assertEquals(JobStatus.FAILED, sim.status("sub"));
    assertTrue(
        sim.state.job("sub").error().contains("its child run did not end within 60000 ms"),
        sim.state.job("sub").error());
    assertEquals(
        List.of("r1:sub.1"),
        commands(sim.last, EngineCommand.CancelRun.class).stream()
            .map(EngineCommand.CancelRun::runId)
            .toList());
    assertEquals(RunStatus.FAILED, sim.state.status());
  }

  @Test
  void aChildThatNeverStartsFailsItsParentsAttemptAtTheStartTimeout() {
    Sim sim =
        new Sim(
            """
            name: unbounded
            version: 1
            jobs:
              - name: sub
                run: {template: regional, params: {region: eu}}
                startTimeout: 2m
            """);
    sim.trigger();
    assertNull(sim.state.job("sub").startedAt(), "started once the child says it exists");
    sim.advance(java.time.Duration.ofMinutes(3));
    assertEquals(JobStatus.FAILED, sim.status("sub"));
    assertTrue(
        sim.state.job("sub").error().contains("its child run did not start within 120000 ms"),
        sim.state.job("sub").error());
    assertEquals(RunStatus.FAILED, sim.state.status());
  }

  @Test
  void aChildThatStartsHasNoTimerLeftWithoutATimeout() {
    Sim sim =
        new Sim(
            """
            name: unbounded
            version: 1
            jobs:
              - name: sub
                run: {template: regional, params: {region: eu}}
            """);
    sim.trigger();
    assertEquals(1, sim.timers.size(), "the start timeout");
    sim.complete("sub", null, 1, CompletionStatus.STARTED, null, Map.of());
    assertTrue(sim.timers.isEmpty(), sim.timers.toString());
    assertEquals(JobStatus.RUNNING, sim.status("sub"));
  }
}
