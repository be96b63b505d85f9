package dev.baton.kafka;

import dev.baton.serde.Topics;
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

/**
 * Creates Baton's topics when they are missing (dev mode and tests; production creates them its own
 * way).
 */
public final class TopicAdmin {
  private TopicAdmin() {}

  public static void ensureTopics(
      String bootstrapServers,
      Topics topics,
      int partitions,
      short replication,
      java.util.Map<String, String> kafka) {
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
        missing.add(
            new NewTopic(topics.templates(), 1, replication)
                .configs(
                    Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get();
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
        throw new IllegalStateException(
            "cannot create topics: " + e.getCause().getMessage(), e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }

  /**
   * The partitions of the topics every record of a run is keyed to (completions, commands, timers):
   * one run's records must meet in one task, so they must agree. Fails with a message naming the
   * topics when one is missing or they differ.
   */
  public static int runPartitions(
      String bootstrapServers, java.util.Map<String, String> kafka, Topics topics) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.putAll(kafka);
    List<String> names = List.of(topics.completions(), topics.commands(), topics.timers());
    try (Admin admin = Admin.create(props)) {
      Map<String, Integer> counts = new java.util.LinkedHashMap<>();
      admin
          .describeTopics(names)
          .allTopicNames()
          .get()
          .forEach((name, d) -> counts.put(name, d.partitions().size()));
      if (new java.util.HashSet<>(counts.values()).size() != 1) {
        throw new IllegalStateException(
            "the topics a run's records are keyed to must have as many partitions each; found "
                + counts);
      }
      return counts.values().iterator().next();
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot read the topics "
              + names
              + " (create them with `baton topics create`): "
              + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading topics", e);
    }
  }
}
