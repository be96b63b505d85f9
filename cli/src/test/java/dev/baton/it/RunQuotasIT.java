package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.RunStatus;
import dev.baton.engine.tenants.Tenancy;
import dev.baton.events.RunEventType;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenant run quotas over a real broker, Redis and processes: runs beyond a tenant's {@code maxRuns}
 * wait QUEUED in arrival order (a higher priority first); a change of the tenants file lets more
 * start without a restart; a bad change keeps the quota in force; other tenants are not held up.
 */
class RunQuotasIT {
  static BatonHarness baton;
  @TempDir static Path work;
  static Path tenantsFile;
  static final Duration LONG = Duration.ofMinutes(2);

  @BeforeAll
  static void start() throws Exception {
    baton = new BatonHarness("quotas", work, null, 16);
    baton.applyGate();
    tenantsFile = work.resolve("tenants.yaml");
    Files.writeString(tenantsFile, "tenants:\n  batch: {maxRuns: 2}\n");
    baton.tenancy = Tenancy.of(0, tenantsFile);
    baton.restartEngine();
  }

  @AfterAll
  static void stop() {
    baton.close();
  }

  private static void start(String runId, String tenant, int priority, Path gate) throws Exception {
    baton.send(
        baton.topics.triggers(),
        runId,
        "{\"runId\":\""
            + runId
            + "\",\"template\":\"gate\",\"tenant\":\""
            + tenant
            + "\",\"priority\":"
            + priority
            + ",\"params\":{\"gate\":\""
            + gate
            + "\"}}");
  }

  private static RunStatus status(String runId) {
    return baton.engine.runs().find(runId).map(r -> r.status()).orElse(null);
  }

  private static void awaitStatus(String runId, RunStatus expected) {
    await().atMost(LONG).until(() -> status(runId) == expected);
  }

  /** Writes the file with a new modification time (two writes within a second may share one). */
  private static synchronized void writeTenants(String yaml) throws Exception {
    Files.writeString(tenantsFile, yaml);
    writes++;
    Files.setLastModifiedTime(
        tenantsFile,
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + writes * 2000));
  }

  private static int writes;

  @Test
  void runsBeyondTheQuotaWaitInArrivalOrderAndAChangedQuotaAdmitsMoreWithoutARestart()
      throws Exception {
    Path gate = work.resolve("open");
    writeTenants("tenants:\n  batch: {maxRuns: 2}\n");
    await().atMost(LONG).until(() -> baton.engineConfig().tenancy().maxRuns("batch") == 2);
    // q-1 and q-2 run; q-3 to q-6 queue, each sent once the one before is applied (arrival order)
    for (int i = 1; i <= 6; i++) {
      start("q-" + i, "batch", 0, gate);
      awaitStatus("q-" + i, i <= 2 ? RunStatus.RUNNING : RunStatus.QUEUED);
    }
    assertTrue(
        baton
            .first("q-3", RunEventType.RUN_QUEUED, null)
            .getDetail()
            .contains("tenant batch (it runs at most 2 at once)"),
        baton.first("q-3", RunEventType.RUN_QUEUED, null).getDetail());
    // ... and as data, which baton replay reads
    assertEquals(
        Map.of("tenant", "batch", "maxRuns", "2"),
        baton.first("q-3", RunEventType.RUN_QUEUED, null).getOutputs());
    // another tenant is not held up by batch's quota
    start("free-1", "interactive", 0, gate);
    awaitStatus("free-1", RunStatus.RUNNING);
    // an urgent run of batch passes its queue
    start("q-urgent", "batch", 10, gate);
    awaitStatus("q-urgent", RunStatus.QUEUED);

    writeTenants("tenants:\n  batch: {maxRuns: 3}\n");
    awaitStatus("q-urgent", RunStatus.RUNNING);
    for (String queued : List.of("q-3", "q-4", "q-5", "q-6")) {
      assertEquals(RunStatus.QUEUED, status(queued), queued + " waits: batch runs 3 of 3");
    }

    writeTenants("tenants:\n  batch: {maxRuns: 5}\n");
    awaitStatus("q-3", RunStatus.RUNNING);
    awaitStatus("q-4", RunStatus.RUNNING);
    assertEquals(RunStatus.QUEUED, status("q-5"), "the first to arrive start first");
    assertEquals(RunStatus.QUEUED, status("q-6"));

    StringWriter out = new StringWriter();
    assertEquals(
        0,
        dev.baton.cli.BatonCli.execute(
            new String[] {
              "tenants",
              "--redis",
              SharedBroker.redisUrl(),
              "--application-id",
              baton.engineConfig().applicationId(),
              "--tenants-file",
              tenantsFile.toString()
            },
            new java.io.PrintWriter(out, true),
            new java.io.PrintWriter(out, true)));
    assertTrue(out.toString().matches("(?s).*\\nbatch +5 +2 +5 .*"), out.toString());
    assertTrue(out.toString().matches("(?s).*\\ninteractive +1 +0 +- .*"), out.toString());

    // a bad change is refused with its line; the quota in force stays
    writeTenants("tenants:\n  batch: {maxRuns: lots}\n");
    await().atMost(LONG).until(() -> baton.engineConfig().tenancy().lastError() != null);
    assertTrue(
        baton
            .engineConfig()
            .tenancy()
            .lastError()
            .contains("tenants.yaml:2: tenants.batch.maxRuns: must be a whole number"),
        baton.engineConfig().tenancy().lastError());
    assertEquals(RunStatus.QUEUED, status("q-5"));

    Files.createFile(gate);
    for (String run : List.of("q-1", "q-2", "q-3", "q-4", "q-5", "q-6", "q-urgent", "free-1")) {
      assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd(run).status(), run);
    }
    long startedUrgent = started("q-urgent");
    assertTrue(startedUrgent < started("q-3"), "the urgent run started before q-3");
    assertTrue(started("q-4") <= started("q-5"), "q-4 before q-5");
    await()
        .atMost(LONG)
        .until(
            () -> baton.engine.runs().tenantRuns().usage().running().getOrDefault("batch", 0) == 0);
    assertEquals(0, baton.engine.runs().tenantRuns().usage().queued().getOrDefault("batch", 0));
  }

  @Test
  void aRunCancelledWhileQueuedLeavesItsTenantsQueue() throws Exception {
    Path gate = work.resolve("open-later");
    writeTenants("tenants:\n  solo: {maxRuns: 1}\n");
    await().atMost(LONG).until(() -> baton.engineConfig().tenancy().maxRuns("solo") == 1);
    start("s-1", "solo", 0, gate);
    awaitStatus("s-1", RunStatus.RUNNING);
    start("s-2", "solo", 0, gate);
    start("s-3", "solo", 0, gate);
    awaitStatus("s-2", RunStatus.QUEUED);
    awaitStatus("s-3", RunStatus.QUEUED);
    StringWriter out = new StringWriter();
    assertEquals(0, baton.cli(out, "cancel", "s-2"), out.toString());
    awaitStatus("s-2", RunStatus.CANCELLED);
    Files.createFile(gate);
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("s-1").status());
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("s-3").status());
    assertEquals(0, baton.count("s-2", RunEventType.RUN_STARTED, null), "s-2 never started");
  }

  private static long started(String runId) {
    return baton.first(runId, RunEventType.RUN_STARTED, null).getOccurredAt().toEpochMilli();
  }
}
