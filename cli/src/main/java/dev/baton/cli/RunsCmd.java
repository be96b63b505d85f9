package dev.baton.cli;

import dev.baton.engine.api.RunHistory;
import dev.baton.engine.api.RunQuery;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.RedisRunRepository;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
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
  @Spec CommandLine.Model.CommandSpec spec;

  @Mixin RedisOptions redis;
  @Mixin ApplicationIdOption engineId;
  @Mixin KafkaOptions kafka;

  @Option(names = "--template", description = "Only runs of this template")
  String template;

  @Option(names = "--status", description = "Only runs in this status (RUNNING, FAILED, ...)")
  String status;

  @Option(names = "--tenant", description = "Only runs of this tenant")
  String tenant;

  @Option(
      names = "--since",
      paramLabel = "WHEN",
      description =
          "Only runs started since: an instant (2026-12-01T00:00:00Z) or a time back (2h, 7d)")
  String since;

  @Option(names = "--until", paramLabel = "WHEN", description = "Only runs started until then")
  String until;

  @Option(
      names = "--param",
      paramLabel = "NAME=VALUE",
      description = "Only runs whose parameter NAME has this value")
  String param;

  @Option(names = "--limit", defaultValue = "20", description = "At most this many (default: 20)")
  int limit;

  private Properties kafkaProperties() {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("default.api.timeout.ms", "10000");
    p.putAll(KafkaOptions.clientProperties());
    return p;
  }

  @Override
  public Integer call() {
    RunQuery query;
    try {
      query = RunQuery.parse(template, status, tenant, since, until, param, Instant.now());
    } catch (RunQuery.InvalidQueryException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (limit < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--limit must be at least 1, got " + limit);
    }
    List<RunState> found;
    try (RedisRunRepository runs = redis.open(engineId.applicationId)) {
      found = new ArrayList<>(query.newest(runs, limit));
    }
    if (query.since() != null && found.size() < limit) {
      // runs that left Redis: the engine wrote each one's summary to the history topic as it ended
      Set<String> listed = found.stream().map(RunState::runId).collect(Collectors.toSet());
      try {
        found.addAll(
            RunHistory.matching(
                RunHistory.read(kafkaProperties(), kafka.topics().history(), query.since()),
                query,
                limit - found.size(),
                listed));
      } catch (RuntimeException e) {
        spec.commandLine()
            .getErr()
            .println(
                "baton runs: cannot read the run history on Kafka ("
                    + e.getMessage()
                    + "); runs in Redis only");
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "%-28s %-16s %-12s %-10s %-24s %s%n",
        "RUN", "TEMPLATE", "TENANT", "STATUS", "STARTED", "DURATION");
    for (RunState r : found) {
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
    }
    return 0;
  }
}
