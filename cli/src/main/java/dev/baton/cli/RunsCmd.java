package dev.baton.cli;

import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.RedisRunRepository;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton runs}: recent runs, newest first, from the engine's run index in Redis. */
@Command(
    name = "runs",
    description = "List recent runs, newest first.",
    mixinStandardHelpOptions = true)
final class RunsCmd implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--redis",
      defaultValue = "${env:BATON_REDIS_URL:-redis://127.0.0.1:6379}",
      paramLabel = "URL",
      description =
          "Redis holding run state (default: $BATON_REDIS_URL, else redis://127.0.0.1:6379)")
  String redisUrl;

  @Option(
      names = "--application-id",
      defaultValue = "${env:BATON_APPLICATION_ID:-baton-engine}",
      description =
          "The engine's application id (default: $BATON_APPLICATION_ID, else baton-engine)")
  String applicationId;

  @Option(names = "--template")
  String template;

  @Option(names = "--status")
  String status;

  @Option(names = "--limit", defaultValue = "20")
  int limit;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%-28s %-16s %-10s %-24s %s%n", "RUN", "TEMPLATE", "STATUS", "STARTED", "DURATION");
    int shown = 0;
    try (RedisRunRepository runs =
        new RedisRunRepository(redisUrl, applicationId, 1, Duration.ZERO)) {
      for (String id : runs.recentRuns(Math.max(limit, 1) * 10)) {
        RunState r = runs.find(id).orElse(null);
        if (r == null
            || (template != null && !r.template().equals(template))
            || (status != null && !r.status().name().equalsIgnoreCase(status))) {
          continue;
        }
        String took =
            r.endedAt() == null
                ? ""
                : (r.endedAt().toEpochMilli() - r.createdAt().toEpochMilli()) + " ms";
        out.printf(
            "%-28s %-16s %-10s %-24s %s%n",
            r.runId(), r.template() + " v" + r.templateVersion(), r.status(), r.createdAt(), took);
        if (++shown == limit) {
          break;
        }
      }
    }
    return 0;
  }
}
