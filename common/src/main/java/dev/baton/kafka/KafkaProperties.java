package dev.baton.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Kafka client properties from the environment, in this order (later wins):
 *
 * <ol>
 *   <li>{@code BATON_KAFKA_CONFIG_FILE}: a Java properties file of client properties ({@code
 *       security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.*});
 *   <li>{@code BATON_KAFKA_<PROPERTY>=value}: {@code BATON_KAFKA_SECURITY_PROTOCOL=SSL} → {@code
 *       security.protocol=SSL};
 *   <li>{@code BATON_KAFKA_<PROPERTY>_FILE=/path}: the property's value is the file's content (a
 *       Kubernetes secret mounted as a file), e.g. {@code BATON_KAFKA_SASL_JAAS_CONFIG_FILE}.
 * </ol>
 *
 * Kafka's own config providers work too ({@code config.providers=file} and {@code
 * ${file:/path:key}}).
 */
public final class KafkaProperties {
  public static final String ENV_PREFIX = "BATON_KAFKA_";
  private static final String CONFIG_FILE = ENV_PREFIX + "CONFIG_FILE";

  private KafkaProperties() {}

  public static Map<String, String> fromEnv(Map<String, String> env) {
    Map<String, String> props = new LinkedHashMap<>();
    String file = env.get(CONFIG_FILE);
    if (file != null && !file.isBlank()) {
      Properties p = new Properties();
      try (var in = Files.newBufferedReader(Path.of(file))) {
        p.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            CONFIG_FILE + ": cannot read " + file + ": " + e.getMessage(), e);
      }
      p.stringPropertyNames().stream().sorted().forEach(k -> props.put(k, p.getProperty(k)));
    }
    env.forEach(
        (k, v) -> {
          if (k.startsWith(ENV_PREFIX) && !k.equals(CONFIG_FILE) && !k.endsWith("_FILE")) {
            props.put(property(k), v);
          }
        });
    env.forEach(
        (k, v) -> {
          if (k.startsWith(ENV_PREFIX) && !k.equals(CONFIG_FILE) && k.endsWith("_FILE")) {
            try {
              props.put(
                  property(k.substring(0, k.length() - "_FILE".length())),
                  Files.readString(Path.of(v)).strip());
            } catch (IOException e) {
              throw new IllegalArgumentException(
                  k + ": cannot read " + v + ": " + e.getMessage(), e);
            }
          }
        });
    return props;
  }

  /**
   * A producer that loses nothing and sends at once: every replica acknowledges, retries do not
   * duplicate, no linger. The service's client properties ({@code kafka}) come last and win.
   */
  public static Properties reliableProducer(String bootstrapServers, Map<String, String> kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.putAll(kafka);
    return p;
  }

  private static String property(String variable) {
    return variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }
}
