package dev.baton.serde;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Kafka client properties given as environment variables: {@code BATON_KAFKA_SECURITY_PROTOCOL=SSL} → {@code security.protocol=SSL}. */
public final class KafkaProperties {
  public static final String ENV_PREFIX = "BATON_KAFKA_";

  private KafkaProperties() {}

  public static Map<String, String> fromEnv(Map<String, String> env) {
    Map<String, String> props = new LinkedHashMap<>();
    env.forEach((k, v) -> {
      if (k.startsWith(ENV_PREFIX)) {
        props.put(k.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
      }
    });
    return props;
  }
}
