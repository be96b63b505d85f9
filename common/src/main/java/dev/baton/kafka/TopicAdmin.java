package dev.baton.kafka;

import dev.baton.serde.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates Baton's topics when they are missing (dev mode and tests; production creates them its own
 * way).
 */
public final class TopicAdmin {
  private TopicAdmin() {}

  /** How long the history topic keeps an ended run's summary. */
  public static final Duration HISTORY_RETENTION = Duration.ofDays(30);

  public static void ensureTopics(
      String bootstrapServers,
      Topics topics,
      int partitions,
      short replication,
      Map<String, String> kafka) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.putAll(kafka);
    createMissing(
        props,
        existing -> {
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
                        Map.of(
                            TopicConfig.CLEANUP_POLICY_CONFIG,
                            TopicConfig.CLEANUP_POLICY_COMPACT)));
          }
          if (!existing.contains(topics.history())) {
            missing.add(
                new NewTopic(topics.history(), partitions, replication)
                    .configs(
                        Map.of(
                            TopicConfig.CLEANUP_POLICY_CONFIG,
                            TopicConfig.CLEANUP_POLICY_COMPACT
                                + ","
                                + TopicConfig.CLEANUP_POLICY_DELETE,
                            TopicConfig.RETENTION_MS_CONFIG,
                            Long.toString(HISTORY_RETENTION.toMillis()))));
          }
          return missing;
        });
  }

  /** Creates those of {@code names} that are missing (plain topics, no settings). */
  public static void ensureNamed(
      String bootstrapServers, Collection<String> names, int partitions, short replication) {
    if (names.isEmpty()) {
      return;
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    createMissing(
        props,
        existing ->
            names.stream()
                .filter(n -> !existing.contains(n))
                .map(n -> new NewTopic(n, partitions, replication))
                .toList());
  }

  /**
   * Creates the topics {@code missingOf} picks given those that exist, and awaits their leaders.
   */
  private static void createMissing(
      Properties props, Function<Set<String>, List<NewTopic>> missingOf) {
    try (Admin admin = Admin.create(props)) {
      List<NewTopic> missing = missingOf.apply(admin.listTopics().names().get());
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get();
        awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException(
            "cannot create topics: " + e.getCause().getMessage(), e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }

  /**
   * Returns once every partition of {@code names} has a leader (30 s at most): a client that writes
   * at once then finds one, instead of retrying against a topic still being set up.
   */
  private static void awaitLeaders(Admin admin, List<String> names)
      throws InterruptedException, ExecutionException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      boolean led = true;
      try {
        for (var d : admin.describeTopics(names).allTopicNames().get().values()) {
          led &= d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
        led = false;
      }
      if (led) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  /**
   * The partitions of the topics every record of a run is keyed to (completions, commands, timers):
   * one run's records must meet in one task, so they must agree. Fails with a message naming the
   * topics when one is missing or they differ.
   */
  public static int runPartitions(
      String bootstrapServers, Map<String, String> kafka, Topics topics) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.putAll(kafka);
    List<String> names = List.of(topics.completions(), topics.commands(), topics.timers());
    try (Admin admin = Admin.create(props)) {
      Map<String, Integer> counts = new LinkedHashMap<>();
      admin
          .describeTopics(names)
          .allTopicNames()
          .get()
          .forEach((name, d) -> counts.put(name, d.partitions().size()));
      if (new HashSet<>(counts.values()).size() != 1) {
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

  /**
   * The names of the cluster's topics, asked with the client properties {@code kafka} (bootstrap
   * servers included); a cluster that does not answer within {@code within} is a {@link
   * KafkaException} naming why.
   */
  public static Set<String> topicNames(Properties kafka, Duration within) {
    try (Admin admin = Admin.create(kafka)) {
      return admin.listTopics().names().get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaException("cannot list the cluster's topics: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted listing the cluster's topics", e);
    }
  }
}
