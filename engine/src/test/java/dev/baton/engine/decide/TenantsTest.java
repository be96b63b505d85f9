package dev.baton.engine.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.RunCommandType;
import dev.baton.events.WorkflowTrigger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which tenant a run belongs to, and the refusal of a name that is not one. */
class TenantsTest {
  static final String BY_TEAM =
      """
      name: by-team
      version: 1
      tenant: "team-${params.team}"
      params: {team: {default: data}}
      jobs:
        - {name: a, command: ["true"]}
        - {name: sub, run: {template: by-team}}
      """;

  static final String PLAIN =
      """
      name: plain
      version: 1
      jobs:
        - {name: a, command: ["true"]}
      """;

  private static Decision start(Sim sim, String tenant, Map<String, String> params) {
    return sim.apply(
        new EngineEvent.TriggerReceived(
            "r1",
            WorkflowTrigger.newBuilder()
                .setTemplate(sim.template.name())
                .setParams(params)
                .setTenant(tenant)
                .build()));
  }

  @Test
  void theTriggersTenantComesFirstThenTheTemplatesThenDefault() {
    Sim named = new Sim(BY_TEAM);
    start(named, "ops", Map.of());
    assertEquals("ops", named.state.tenantName());

    Sim fromTemplate = new Sim(BY_TEAM);
    Decision d = start(fromTemplate, null, Map.of("team", "ml"));
    assertEquals("team-ml", fromTemplate.state.tenantName());
    assertTrue(
        Sim.events(d).stream().allMatch(e -> "team-ml".equals(e.getTenant())),
        "every event names the tenant");

    Sim plain = new Sim(PLAIN);
    start(plain, null, Map.of());
    assertEquals(RunState.DEFAULT_TENANT, plain.state.tenantName());
  }

  @Test
  void aChildBelongsToItsParentsTenant() {
    Sim sim = new Sim(BY_TEAM);
    start(sim, "ops", Map.of());
    Decision d = sim.succeed("a");
    List<WorkflowTrigger> children =
        d.commands().stream()
            .filter(EngineCommand.StartChild.class::isInstance)
            .map(c -> ((EngineCommand.StartChild) c).trigger())
            .toList();
    assertEquals("ops", children.get(0).getTenant());
  }

  @Test
  void aNameThatIsNotATenantIsRefusedWithTheReason() {
    Sim sim = new Sim(BY_TEAM);
    Decision d = start(sim, "Team A", Map.of());
    assertNull(d.state());
    String reason = ((EngineCommand.Reject) d.commands().get(0)).reason();
    assertTrue(
        reason.contains(
            "the trigger's tenant gives 'Team A', which is not a tenant name (lower-case letters,"
                + " digits and '-', at most 63)"),
        reason);

    Sim fromTemplate = new Sim(BY_TEAM);
    Decision bad = start(fromTemplate, null, Map.of("team", "a/b"));
    String why = ((EngineCommand.Reject) bad.commands().get(0)).reason();
    assertTrue(why.contains("the template's tenant 'team-${params.team}' gives 'team-a/b'"), why);
  }

  @Test
  void theTriggersPriorityComesFirstThenTheTemplatesAndAChildHasItsParents() {
    String prioritized =
        """
        name: urgent
        version: 1
        priority: 5
        jobs:
          - {name: sub, run: {template: urgent}}
        """;
    Sim fromTemplate = new Sim(prioritized);
    Decision d = start(fromTemplate, null, Map.of());
    assertEquals(5, fromTemplate.state.priority());
    WorkflowTrigger child =
        d.commands().stream()
            .filter(EngineCommand.StartChild.class::isInstance)
            .map(c -> ((EngineCommand.StartChild) c).trigger())
            .findFirst()
            .orElseThrow();
    assertEquals(Integer.valueOf(5), child.getPriority());

    Sim named = new Sim(prioritized);
    named.apply(
        new EngineEvent.TriggerReceived(
            "r1", WorkflowTrigger.newBuilder().setTemplate("urgent").setPriority(-3).build()));
    assertEquals(-3, named.state.priority());

    Sim tooHigh = new Sim(PLAIN);
    Decision refused =
        tooHigh.apply(
            new EngineEvent.TriggerReceived(
                "r1", WorkflowTrigger.newBuilder().setTemplate("plain").setPriority(5000).build()));
    assertNull(refused.state());
    assertTrue(
        ((EngineCommand.Reject) refused.commands().get(0)).reason().contains("priority 5000"));
  }

  static final String LIMITED =
      """
      name: limited
      version: 1
      maxConcurrentRuns: 2
      jobs:
        - {name: a, command: ["true"]}
      """;

  private static EngineCommand.TenantRun tenantRun(Decision d) {
    return d.commands().stream()
        .filter(EngineCommand.TenantRun.class::isInstance)
        .map(EngineCommand.TenantRun.class::cast)
        .reduce((first, second) -> second)
        .orElse(null);
  }

  private static boolean dispatches(Decision d) {
    return d.commands().stream().anyMatch(EngineCommand.DispatchJob.class::isInstance);
  }

  @Test
  void aRunOfATenantWithARunQuotaWaitsInItsTenantsQueueUntilItsTenantAdmitsIt() {
    Sim sim = new Sim(PLAIN);
    sim.quotas = t -> "ops".equals(t) ? 2 : 0;
    Decision queued = start(sim, "ops", Map.of());
    assertEquals(RunStatus.QUEUED, sim.state.status());
    assertEquals(
        new EngineCommand.TenantRun(EngineCommand.TenantRun.Op.ENQUEUE, "ops", 0, true),
        tenantRun(queued));
    assertFalse(dispatches(queued));
    assertTrue(
        Sim.events(queued).get(0).getDetail().contains("tenant ops (it runs at most 2 at once)"),
        Sim.events(queued).get(0).getDetail());

    Decision fromTemplate = sim.command(RunCommandType.ADMIT, "a slot is free");
    assertEquals(RunStatus.QUEUED, fromTemplate.state().status(), "not its template's queue");

    Decision admitted = sim.command(RunCommandType.ADMIT, RunQuotas.TENANT_ADMISSION);
    assertEquals(RunStatus.RUNNING, sim.state.status());
    assertEquals(
        new EngineCommand.TenantRun(EngineCommand.TenantRun.Op.START, "ops", 0, true),
        tenantRun(admitted));
    assertTrue(dispatches(admitted));

    Decision ended = sim.succeed("a");
    assertEquals(RunStatus.SUCCEEDED, sim.state.status());
    assertEquals(EngineCommand.TenantRun.Op.END, tenantRun(ended).op());
  }

  @Test
  void aRunWithoutQuotaStartsAtOnceAndIsCountedAndACancelledQueuedRunLeavesTheQueue() {
    Sim free = new Sim(PLAIN);
    Decision started = start(free, "ops", Map.of());
    assertEquals(RunStatus.RUNNING, free.state.status());
    assertEquals(
        new EngineCommand.TenantRun(EngineCommand.TenantRun.Op.START, "ops", 0, false),
        tenantRun(started),
        "not queued: no queue entry to clear");

    Sim sim = new Sim(PLAIN);
    sim.quotas = t -> 1;
    start(sim, "ops", Map.of());
    Decision cancelled = sim.command(RunCommandType.CANCEL);
    assertEquals(RunStatus.CANCELLED, sim.state.status());
    assertEquals(
        new EngineCommand.TenantRun(EngineCommand.TenantRun.Op.END, "ops", 0, true),
        tenantRun(cancelled));
  }

  @Test
  void aRunWaitsForItsTemplateFirstThenForItsTenant() {
    Sim sim = new Sim(LIMITED);
    sim.quotas = t -> 3;
    Decision queued = start(sim, "ops", Map.of());
    assertEquals(RunStatus.QUEUED, sim.state.status());
    assertNull(tenantRun(queued), "in its template's queue");

    Decision early = sim.command(RunCommandType.ADMIT, RunQuotas.TENANT_ADMISSION);
    assertEquals(RunStatus.QUEUED, early.state().status(), "the tenant cannot let it out yet");

    Decision byTemplate = sim.command(RunCommandType.ADMIT, "a slot is free");
    assertEquals(RunStatus.QUEUED, sim.state.status());
    assertEquals(EngineCommand.TenantRun.Op.ENQUEUE, tenantRun(byTemplate).op());
    Decision byTenant = sim.command(RunCommandType.ADMIT, RunQuotas.TENANT_ADMISSION);
    assertEquals(RunStatus.RUNNING, sim.state.status());
    assertTrue(dispatches(byTenant));
  }

  @Test
  void aChildRunNeitherWaitsForNorCountsAgainstItsTenantsQuota() {
    Sim child = new Sim(PLAIN);
    child.quotas = t -> 1;
    Decision d =
        child.apply(
            new EngineEvent.TriggerReceived(
                "r1",
                WorkflowTrigger.newBuilder()
                    .setTemplate("plain")
                    .setTenant("ops")
                    .setParent(
                        dev.baton.events.ParentRun.newBuilder()
                            .setRunId("p")
                            .setJob("sub")
                            .setAttempt(1)
                            .setDepth(1)
                            .setToken("t")
                            .build())
                    .build()));
    assertEquals(RunStatus.RUNNING, child.state.status());
    assertNull(tenantRun(d));
  }
}
