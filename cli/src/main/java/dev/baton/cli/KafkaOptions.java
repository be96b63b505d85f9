package dev.baton.cli;

import dev.baton.kafka.KafkaProperties;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options of every command that talks to Kafka. */
public final class KafkaOptions {
  @Option(
      names = "--bootstrap-server",
      defaultValue = "${env:BATON_BOOTSTRAP_SERVERS:-localhost:9092}",
      paramLabel = "HOST:PORT",
      description =
          "Kafka bootstrap servers (default: $BATON_BOOTSTRAP_SERVERS, else localhost:9092)")
  String bootstrapServers;

  @Option(
      names = "--topic-prefix",
      defaultValue = "${env:BATON_TOPIC_PREFIX:-baton}",
      paramLabel = "PREFIX",
      description =
          "Prefix of Baton's topic names (default: $BATON_TOPIC_PREFIX, else baton: baton.triggers, ...)")
  String topicPrefix;

  @Option(
      names = "--encoding",
      defaultValue = "${env:BATON_ENCODING:-json}",
      paramLabel = "json|avro",
      description = "How to write events (default: $BATON_ENCODING, else json); both are read")
  String encoding;

  @Option(
      names = "--registry",
      defaultValue = "${env:BATON_REGISTRY_URL}",
      paramLabel = "URL",
      description = "Confluent-API schema registry (default: $BATON_REGISTRY_URL); needed for avro")
  String registryUrl;

  public Wire wire() {
    return Wire.of(encoding, registryUrl, System.getenv("BATON_REGISTRY_USER_INFO"));
  }

  public Topics topics() {
    return Topics.withPrefix(topicPrefix);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Kafka client settings of the environment ({@code BATON_KAFKA_*}, SASL and TLS among them). */
  public static Map<String, String> clientProperties() {
    return KafkaProperties.fromEnv(System.getenv());
  }
}
