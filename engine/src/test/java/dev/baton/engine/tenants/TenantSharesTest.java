package dev.baton.engine.tenants;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.state.JobSlots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tenants file: weights and limits, errors with line and field, read again on change. */
class TenantSharesTest {
  @TempDir Path dir;

  @Test
  void readsWeightsAndLimitsAndDefaultsTheRest() throws Exception {
    Map<String, JobSlots.Share> shares =
        TenantShares.parse(
            "t.yaml", "tenants:\n  team-a: {weight: 3, maxJobs: 10, maxRuns: 5}\n  team-b: {}\n");
    assertEquals(new JobSlots.Share(3, 10, 5), shares.get("team-a"));
    assertEquals(new JobSlots.Share(1, 0, 0), shares.get("team-b"));
  }

  @Test
  void aBadEntryIsRefusedWithItsLineAndField() {
    String weight =
        assertThrows(
                TenantShares.InvalidTenantsFileException.class,
                () ->
                    TenantShares.parse("t.yaml", "tenants:\n  a: {weight: 1}\n  b: {weight: 0}\n"))
            .getMessage();
    assertEquals(
        "t.yaml:3: tenants.b.weight: must be a whole number of at least 1, got '0'", weight);
    String name =
        assertThrows(
                TenantShares.InvalidTenantsFileException.class,
                () -> TenantShares.parse("t.yaml", "tenants:\n  Team A: {weight: 1}\n"))
            .getMessage();
    assertTrue(name.startsWith("t.yaml:2: tenants.Team A: not a tenant name"), name);
    String field =
        assertThrows(
                TenantShares.InvalidTenantsFileException.class,
                () -> TenantShares.parse("t.yaml", "tenants:\n  a: {wieght: 2}\n"))
            .getMessage();
    assertEquals(
        "t.yaml:2: tenants.a.wieght: unknown field (expected weight, maxJobs, maxRuns)", field);
  }

  @Test
  void aChangedFileIsReadAgainAndABadChangeKeepsTheSharesInForce() throws Exception {
    Path file = dir.resolve("tenants.yaml");
    Files.writeString(file, "tenants:\n  a: {weight: 2}\n");
    Tenancy tenancy = Tenancy.of(4, file);
    assertEquals(2, tenancy.shares().get("a").weight());

    Files.writeString(file, "tenants:\n  a: {weight: 5}\n");
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 2_000));
    await().atMost(Duration.ofSeconds(5)).until(() -> tenancy.shares().get("a").weight() == 5);
    assertNull(tenancy.lastError());

    Files.writeString(file, "tenants:\n  a: {weight: many}\n");
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 4_000));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> tenancy.shares() != null && tenancy.lastError() != null);
    assertEquals(5, tenancy.shares().get("a").weight(), "the shares in force stay");
    assertTrue(
        tenancy.lastError().contains("tenants.yaml:2: tenants.a.weight"), tenancy.lastError());
  }

  @Test
  void aBadFileStopsTheStartWithItsLine() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "tenants:\n  a: {weight: -1}\n");
    var e = assertThrows(TenantShares.InvalidTenantsFileException.class, () -> Tenancy.of(4, file));
    assertTrue(e.getMessage().contains("bad.yaml:2: tenants.a.weight"), e.getMessage());
  }
}
