package dev.baton.cli;

import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import dev.baton.serde.EventCodec;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton cancel}: ask the engine to stop a run. */
@Command(name = "cancel", description = "Cancel a run: stop its running jobs, dispatch nothing more.", mixinStandardHelpOptions = true)
final class CancelCmd implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin KafkaOptions kafka;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Option(names = "--reason", paramLabel = "TEXT")
  String reason;

  @Override
  public Integer call() {
    RunCommand command = RunCommand.newBuilder()
        .setEventId("cancel:" + runId + ":" + UUID.randomUUID())
        .setRunId(runId)
        .setOccurredAt(Instant.now())
        .setType(RunCommandType.CANCEL)
        .setReason(reason)
        .build();
    TriggerPublisher.publish(kafka.bootstrapServers(), kafka.topics().commands(), runId,
        EventCodec.of(RunCommand.class).encode(command));
    spec.commandLine().getOut().println("cancel requested for " + runId);
    return 0;
  }
}
