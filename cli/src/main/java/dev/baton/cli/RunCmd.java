package dev.baton.cli;

import dev.baton.events.RunEventType;
import dev.baton.events.WorkflowTrigger;
import dev.baton.serde.RunIds;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton run}: publish a trigger; with --wait, follow the run to its end. */
@Command(name = "run", description = "Start a run of a template.", mixinStandardHelpOptions = true)
final class RunCmd implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin KafkaOptions kafka;

  @Parameters(index = "0", paramLabel = "TEMPLATE", description = "Template name")
  String template;

  @Option(
      names = {"-p", "--param"},
      paramLabel = "KEY=VALUE",
      description = "A run parameter (repeatable)")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(
      names = "--wait",
      description = "Follow the run; exit 0 if it succeeds, 1 if it fails, 3 if cancelled")
  boolean waitForEnd;

  @Option(
      names = "--timeout",
      defaultValue = "10m",
      paramLabel = "DURATION",
      description = "How long --wait waits (default: ${DEFAULT-VALUE}): 30s, 10m, 1h")
  String timeout;

  @Option(names = "--run-id", paramLabel = "ID", description = "Run id to use (default: a new one)")
  String runId;

  @Option(
      names = "--idempotency-key",
      paramLabel = "KEY",
      description =
          "Triggers with the same key start one run (its id comes from the key; with --wait, a"
              + " run that has ended is shown at once)")
  String idempotencyKey;

  @Option(
      names = "--tenant",
      paramLabel = "NAME",
      description = "The tenant the run belongs to (default: the template's, else default)")
  String tenant;

  @Option(
      names = "--priority",
      paramLabel = "N",
      description =
          "Within its tenant, a higher priority gets job slots first (-1000 to 1000; default: the"
              + " template's, else 0)")
  Integer priority;

  @Option(
      names = "--template-version",
      paramLabel = "N",
      description = "Pin a template version (default: latest)")
  Integer templateVersion;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Duration wait = Durations.parse(timeout, "--timeout", spec.commandLine());
    String id =
        runId != null
            ? runId
            : idempotencyKey != null
                ? RunIds.forIdempotencyKey(idempotencyKey)
                : "run-" + UUID.randomUUID().toString().substring(0, 13);
    WorkflowTrigger trigger =
        WorkflowTrigger.newBuilder()
            .setEventId("trigger:" + id)
            .setRunId(idempotencyKey != null && runId == null ? null : id)
            .setOccurredAt(Instant.now())
            .setTemplate(template)
            .setTemplateVersion(templateVersion)
            .setParams(params)
            .setIdempotencyKey(idempotencyKey)
            .setTenant(tenant)
            .setPriority(priority)
            .build();
    if (!waitForEnd) {
      TriggerPublisher.publish(
          kafka.bootstrapServers(), kafka.topics().triggers(), trigger, kafka.wire());
      out.println(id);
      return 0;
    }
    try (RunFollower follower =
        new RunFollower(kafka.bootstrapServers(), kafka.topics().events(), false, kafka.wire())) {
      TriggerPublisher.publish(
          kafka.bootstrapServers(), kafka.topics().triggers(), trigger, kafka.wire());
      out.println(id);
      RunEventType end =
          follower.follow(id, new PrintStream(new WriterOutputStream(out), true), wait);
      return exitCode(end, out, wait);
    }
  }

  static int exitCode(RunEventType end, PrintWriter out, Duration wait) {
    if (end == null) {
      out.println(
          "no end of the run within "
              + wait.toSeconds()
              + " s (is the engine running?); see `baton status`");
      return 4;
    }
    return switch (end) {
      case RUN_SUCCEEDED -> 0;
      case RUN_CANCELLED -> 3;
      default -> 1;
    };
  }
}
