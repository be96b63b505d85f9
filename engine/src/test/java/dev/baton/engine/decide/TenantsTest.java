package dev.baton.engine.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
