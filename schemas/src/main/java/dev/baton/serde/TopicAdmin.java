package dev.baton.serde;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/** Creates Baton's topics when they are missing (dev mode and tests; production creates them its own way). */
public final class TopicAdmin {
  private TopicAdmin() {}

  /** With the Kafka client settings of the environment ({@link KafkaProperties}). */
  public static void ensureTopics(String bootstrapServers, Topics topics, int partitions, short replication) {
    ensureTopics(bootstrapServers, topics, partitions, replication, KafkaProperties.fromEnv(System.getenv()));
  }

  public static void ensureTopics(String bootstrapServers, Topics topics, int partitions, short replication, java.util.Map<String, String> kafka) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.putAll(kafka);
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (String name : topics.eventTopics()) {
        if (!existing.contains(name)) {
          missing.add(new NewTopic(name, partitions, replication));
        }
      }
      if (!existing.contains(topics.templates())) {
        missing.add(new NewTopic(topics.templates(), 1, replication)
            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get();
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
        throw new IllegalStateException("cannot create topics: " + e.getCause().getMessage(), e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }
}
