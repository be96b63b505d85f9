package dev.baton.engine.topology;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;

/**
 * Which topics exist, as the broker lists them: kept, and asked again (at most once a second) when
 * a topic is not among them, so a topic created since is found at once. The engine writes an emit's
 * or a service's record only to a topic that exists: a record for one that does not would fail the
 * task's transaction again and again.
 */
public final class ExistingTopics implements Predicate<String>, AutoCloseable {
  private final Admin admin;
  private volatile Set<String> known = Set.of();
  private volatile long askedAt;

  public ExistingTopics(String bootstrapServers, Map<String, String> kafka) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.putAll(kafka);
    this.admin = Admin.create(p);
  }

  @Override
  public boolean test(String topic) {
    if (known.contains(topic)) {
      return true;
    }
    long now = System.nanoTime();
    if (now - askedAt > TimeUnit.SECONDS.toNanos(1)) {
      askedAt = now;
      try {
        known = Set.copyOf(admin.listTopics().names().get(5, TimeUnit.SECONDS));
      } catch (Exception e) {
        // the broker does not answer now: the record waits for the next record's check
        throw new KafkaException("cannot list topics: " + e, e);
      }
    }
    return known.contains(topic);
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
