package dev.baton.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects once at start-up so that wrong credentials or certificates fail at once, with a message
 * that names the cluster, the protocol, the mechanism and the user, never the password. A cluster
 * that does not answer in time is only logged: clients keep retrying.
 */
public final class KafkaCheck {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaCheck.class);
  private static final Pattern USER = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

  private KafkaCheck() {}

  public static void verify(String bootstrapServers, Map<String, String> kafka, Duration timeout) {
    Map<String, Object> p = new HashMap<>(kafka);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 10_000));
    try (Admin admin = Admin.create(p)) {
      admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
        throw new IllegalStateException(
            "Kafka at " + bootstrapServers + " refused " + who(kafka) + ": " + cause.getMessage(),
            cause);
      }
      LOG.warn(
          "Kafka at {} ({}) did not answer yet: {}",
          bootstrapServers,
          who(kafka),
          cause == null ? e : cause.toString());
    } catch (TimeoutException e) {
      LOG.warn(
          "Kafka at {} ({}) did not answer within {} s; going on, clients retry",
          bootstrapServers,
          who(kafka),
          timeout.toSeconds());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (KafkaException e) {
      throw new IllegalStateException(
          "Kafka client settings for "
              + bootstrapServers
              + " ("
              + who(kafka)
              + ") are not usable: "
              + e.getMessage(),
          e);
    }
  }

  /** Protocol, mechanism and user of the settings: what a message may say. */
  static String who(Map<String, String> kafka) {
    String protocol = kafka.getOrDefault("security.protocol", "PLAINTEXT");
    String mechanism = kafka.get("sasl.mechanism");
    Matcher user = USER.matcher(kafka.getOrDefault("sasl.jaas.config", ""));
    return protocol
        + (protocol.startsWith("SASL") ? " " + (mechanism == null ? "GSSAPI" : mechanism) : "")
        + (user.find() ? " as user '" + user.group(1) + "'" : "");
  }
}
