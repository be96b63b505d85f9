package dev.baton.cli;

import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import dev.baton.serde.CommandRequests;

/** Writes a command on one run (cancel, retry) to the commands topic. */
final class RunCommands {
  private RunCommands() {}

  static void send(KafkaOptions kafka, String runId, RunCommandType type, String reason) {
    RunCommand command = CommandRequests.of(runId, type, reason);
    TriggerPublisher.publish(
        kafka.bootstrapServers(),
        kafka.topics().commands(),
        runId,
        kafka.wire().encode(kafka.topics().commands(), command));
  }
}
