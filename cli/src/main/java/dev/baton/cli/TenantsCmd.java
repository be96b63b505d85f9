package dev.baton.cli;

import dev.baton.engine.api.TenantView;
import dev.baton.engine.state.RedisRunRepository;
import dev.baton.engine.tenants.Tenancy;
import dev.baton.engine.tenants.TenantShares;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton tenants}: per tenant, jobs running and queued for the job slots, weight, limit. */
@Command(
    name = "tenants",
    description = "Show how the job slots are shared between tenants now.",
    mixinStandardHelpOptions = true)
final class TenantsCmd implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin RedisOptions redis;
  @Mixin ApplicationIdOption engineId;

  @Option(
      names = "--capacity",
      defaultValue = "${env:BATON_JOB_CAPACITY:-0}",
      description = "The engine's job slots (default: $BATON_JOB_CAPACITY)")
  int capacity;

  @Option(
      names = "--tenants-file",
      defaultValue = "${env:BATON_TENANTS_FILE}",
      paramLabel = "FILE",
      description =
          "The engine's tenants file, for weights and limits (default: $BATON_TENANTS_FILE)")
  Path tenantsFile;

  @Override
  public Integer call() {
    Tenancy tenancy;
    try {
      tenancy = Tenancy.of(Math.max(capacity, 0), tenantsFile);
    } catch (TenantShares.InvalidTenantsFileException e) {
      spec.commandLine().getErr().println("baton tenants: " + e.getMessage());
      return 2;
    }
    Map<String, Object> view;
    try (RedisRunRepository runs = redis.open(engineId.applicationId)) {
      Tenancy counted = tenancy.sharesSlots() ? tenancy : withSlots(tenancy);
      view = TenantView.of(counted, runs.slots());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "job slots %s, %s in use%n",
        capacity > 0 ? Integer.toString(capacity) : "(not given: --capacity)", view.get("running"));
    out.printf(
        "%-20s %8s %8s %7s %8s %7s%n", "TENANT", "RUNNING", "QUEUED", "WEIGHT", "MAXJOBS", "SHARE");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = (List<Map<String, Object>>) view.get("tenants");
    for (Map<String, Object> r : rows) {
      out.printf(
          "%-20s %8s %8s %7s %8s %6.0f%%%n",
          r.get("tenant"),
          r.get("running"),
          r.get("queued"),
          r.get("weight"),
          (int) r.get("maxJobs") == 0 ? "-" : r.get("maxJobs"),
          100 * (double) r.get("share"));
    }
    return 0;
  }

  /** The usage is read from Redis whatever the capacity given here. */
  private static Tenancy withSlots(Tenancy t) {
    try {
      return Tenancy.of(Integer.MAX_VALUE, t.tenantsFile());
    } catch (TenantShares.InvalidTenantsFileException e) {
      throw new IllegalStateException(e);
    }
  }
}
