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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code baton tenants}: per tenant, runs running and queued under its run quota; jobs holding and
 * waiting for a job slot, weight and job limit; share of the slots in use now and over the last
 * minute.
 */
@Command(
    name = "tenants",
    description =
        "Show each tenant's runs and quota, and how the job slots are shared between tenants.",
    mixinStandardHelpOptions = true)
final class TenantsCmd implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
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
      view = TenantView.of(tenancy, runs.slots(), runs.tenantRuns(), System.currentTimeMillis());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "job slots %s, %s in use%n",
        capacity > 0 ? Integer.toString(capacity) : "(not given: --capacity)", view.get("running"));
    out.printf(
        "%-20s %5s %6s %7s   %4s %6s %6s %7s %6s %7s%n",
        "TENANT", "RUNS", "QUEUED", "MAXRUNS", "JOBS", "QUEUED", "WEIGHT", "MAXJOBS", "SHARE",
        "1M");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = (List<Map<String, Object>>) view.get("tenants");
    for (Map<String, Object> r : rows) {
      out.printf(
          "%-20s %5s %6s %7s   %4s %6s %6s %7s %5.0f%% %6.0f%%%n",
          r.get("tenant"),
          r.get("runsRunning"),
          r.get("runsQueued"),
          (int) r.get("maxRuns") == 0 ? "-" : r.get("maxRuns"),
          r.get("running"),
          r.get("queued"),
          r.get("weight"),
          (int) r.get("maxJobs") == 0 ? "-" : r.get("maxJobs"),
          100 * (double) r.get("share"),
          100 * (double) r.get("shareLastMinute"));
    }
    return 0;
  }
}
