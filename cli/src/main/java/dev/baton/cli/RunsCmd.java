package dev.baton.cli;

import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.RedisRunRepository;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton runs}: recent runs, newest first, from the engine's run index in Redis. */
@Command(
    name = "runs",
    description = "List recent runs, newest first.",
    mixinStandardHelpOptions = true)
final class RunsCmd implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin RedisOptions redis;
  @Mixin ApplicationIdOption engineId;

  @Option(names = "--template")
  String template;

  @Option(names = "--status")
  String status;

  @Option(names = "--tenant")
  String tenant;

  @Option(names = "--limit", defaultValue = "20")
  int limit;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "%-28s %-16s %-12s %-10s %-24s %s%n",
        "RUN", "TEMPLATE", "TENANT", "STATUS", "STARTED", "DURATION");
    int shown = 0;
    try (RedisRunRepository runs = redis.open(engineId.applicationId)) {
      for (String id : runs.recentRuns(Math.max(limit, 1) * 10)) {
        RunState r = runs.find(id).orElse(null);
        if (r == null
            || (template != null && !r.template().equals(template))
            || (status != null && !r.status().name().equalsIgnoreCase(status))
            || (tenant != null && !r.tenantName().equals(tenant))) {
          continue;
        }
        String took =
            r.endedAt() == null
                ? ""
                : (r.endedAt().toEpochMilli() - r.createdAt().toEpochMilli()) + " ms";
        out.printf(
            "%-28s %-16s %-12s %-10s %-24s %s%n",
            r.runId(),
            r.template() + " v" + r.templateVersion(),
            r.tenantName(),
            r.status(),
            r.createdAt(),
            took);
        if (++shown == limit) {
          break;
        }
      }
    }
    return 0;
  }
}
