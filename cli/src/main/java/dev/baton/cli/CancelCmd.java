package dev.baton.cli;

import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton cancel} and {@code baton retry}: commands on one run. */
final class CancelCmd {
  private CancelCmd() {}

  static void send(KafkaOptions kafka, String runId, RunCommandType type, String reason) {
    RunCommand command = RunCommand.newBuilder()
        .setEventId(type.name().toLowerCase() + ":" + runId + ":" + UUID.randomUUID())
        .setRunId(runId)
        .setOccurredAt(Instant.now())
        .setType(type)
        .setReason(reason)
        .build();
    TriggerPublisher.publish(kafka.bootstrapServers(), kafka.topics().commands(), runId, kafka.wire().encode(kafka.topics().commands(), command));
  }

  @Command(name = "cancel", description = "Cancel a run: stop its running jobs, dispatch nothing more.", mixinStandardHelpOptions = true)
  static final class Cancel implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;

    @Option(names = "--reason", paramLabel = "TEXT")
    String reason;

    @Override
    public Integer call() {
      send(kafka, runId, RunCommandType.CANCEL, reason);
      spec.commandLine().getOut().println("cancel requested for " + runId);
      return 0;
    }
  }

  @Command(name = "retry", description = "Rerun a FAILED run from its failed jobs; jobs that succeeded keep their outputs.",
      mixinStandardHelpOptions = true)
  static final class Retry implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;

    @Override
    public Integer call() {
      send(kafka, runId, RunCommandType.RETRY, "retry from the command line");
      spec.commandLine().getOut().println("rerun requested for " + runId + " (follow it with `baton watch " + runId + "`)");
      return 0;
    }
  }
}
