package dev.baton.cli;

import dev.baton.serde.Topics;
import picocli.CommandLine.Option;

/** Options of every command that talks to Kafka. */
public final class KafkaOptions {
  @Option(names = "--bootstrap-server", defaultValue = "localhost:9092", paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
  String bootstrapServers;

  @Option(names = "--topic-prefix", defaultValue = "baton", paramLabel = "PREFIX",
      description = "Prefix of Baton's topic names (default: ${DEFAULT-VALUE}, giving baton.triggers, ...)")
  String topicPrefix;

  public Topics topics() {
    return Topics.withPrefix(topicPrefix);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }
}
