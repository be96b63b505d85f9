package dev.baton.cli;

import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import java.time.Instant;
import java.util.UUID;

/** Writes a command on one run (cancel, retry) to the commands topic. */
final class RunCommands {
  private RunCommands() {}

  static void send(KafkaOptions kafka, String runId, RunCommandType type, String reason) {
    RunCommand command =
        RunCommand.newBuilder()
            .setEventId(
                type.name().toLowerCase(java.util.Locale.ROOT)
                    + ":"
                    + runId
                    + ":"
                    + UUID.randomUUID())
            .setRunId(runId)
            .setOccurredAt(Instant.now())
            .setType(type)
            .setReason(reason)
            .build();
    TriggerPublisher.publish(
        kafka.bootstrapServers(),
        kafka.topics().commands(),
        runId,
        kafka.wire().encode(kafka.topics().commands(), command));
  }
}
