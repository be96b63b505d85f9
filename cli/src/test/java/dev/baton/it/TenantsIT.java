package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.BatonCli;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.RunEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenants over a real broker, Redis and processes: the trigger's tenant, the template's, the
 * default; shown in events, status, the API's run list and metrics; a bad name dead-lettered.
 */
class TenantsIT {
  static BatonHarness baton;
  static dev.baton.engine.api.ApiServer api;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    baton = new BatonHarness("tenants", work, null, 4);
    baton.apply(
        "by-team.yaml",
        """
        name: by-team
        version: 1
        tenant: "${params.team}"
        params: {team: {default: data}}
        jobs:
          - {name: a, command: ["true"]}
        """);
    api = baton.startApi();
  }

  @AfterAll
  static void stop() {
    api.close();
    baton.close();
  }

  @Test
  void aRunBelongsToTheTenantItsTriggerOrTemplateNames() throws Exception {
    baton.send(
        baton.topics.triggers(),
        "tn-1",
        "{\"runId\":\"tn-1\",\"template\":\"by-team\",\"tenant\":\"ops\"}");
    baton.trigger("tn-2", "by-team", Map.of("team", "ml"));
    baton.trigger("tn-3", "by-team", Map.of());
    assertEquals("ops", ended("tn-1").tenantName());
    assertEquals("ml", ended("tn-2").tenantName());
    assertEquals("data", ended("tn-3").tenantName());
    assertTrue(
        baton.eventsOf("tn-2").stream().map(RunEvent::getTenant).allMatch("ml"::equals),
        "every event of the run names its tenant");

    StringWriter out = new StringWriter();
    BatonCli.execute(
        new String[] {"status", "tn-1", "--redis", SharedBroker.redisUrl()},
        new PrintWriter(out, true),
        new PrintWriter(out, true));
    assertTrue(out.toString().contains("tenant    ops"), out.toString());

    String list = get("/api/runs?tenant=ml");
    assertTrue(list.contains("\"runId\":\"tn-2\""), list);
    assertTrue(!list.contains("\"runId\":\"tn-1\""), list);
    String metrics = get("/metrics");
    assertTrue(
        metrics.contains("baton_tenant_runs_total{event=\"succeeded\",tenant=\"ops\"} 1.0"),
        metrics);
  }

  @Test
  void aTenantNameThatIsNotOneIsDeadLetteredWithTheReason() throws Exception {
    baton.send(
        baton.topics.triggers(),
        "tn-bad",
        "{\"runId\":\"tn-bad\",\"template\":\"by-team\",\"tenant\":\"Ops Team\"}");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                baton.deadLetters.records().stream()
                    .anyMatch(
                        r ->
                            WaitsIT.reason(r)
                                .contains(
                                    "the trigger's tenant gives 'Ops Team', which is not a tenant"
                                        + " name")));
    assertTrue(baton.engine.runs().find("tn-bad").isEmpty());
  }

  private static dev.baton.engine.decide.RunState ended(String runId) {
    var run = baton.awaitEnd(runId);
    assertEquals(RunStatus.SUCCEEDED, run.status(), run.detail());
    return run;
  }

  private static String get(String path) throws Exception {
    return BatonHarness.httpGet(api.port(), path);
  }
}
