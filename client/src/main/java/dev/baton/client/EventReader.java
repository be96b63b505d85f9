package dev.baton.client;

import dev.baton.events.RunEvent;
import dev.baton.serde.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one reader of the events topic a client has, however many runs it awaits: it starts at the
 * topic's end (every run the client starts afterwards is seen from its first event), reads only
 * committed events, and hands each to the follower of its run, if any.
 */
final class EventReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventReader.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Wire wire;
  private final Map<String, RunFollower> followers = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  EventReader(Map<String, Object> kafka, String topic, Wire wire, Duration timeout) {
    this.wire = wire;
    Properties p = new Properties();
    p.putAll(kafka);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "baton-client-events-" + System.identityHashCode(this));
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    try {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
      if (partitions == null || partitions.isEmpty()) {
        throw new BatonException(
            "no topic '" + topic + "' on the broker: is Baton running there, with this prefix?");
      }
      List<TopicPartition> assigned =
          partitions.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(assigned);
      consumer.seekToEnd(assigned);
      for (TopicPartition tp : assigned) {
        consumer.position(tp, timeout); // fixed now: events written from here on are read
      }
    } catch (BatonException e) {
      consumer.close(Duration.ZERO);
      throw e;
    } catch (RuntimeException e) {
      consumer.close(Duration.ZERO);
      throw new BatonException(
          "cannot read '" + topic + "' at " + kafka.get("bootstrap.servers") + ": " + e, e);
    }
    thread = new Thread(this::run, "baton-client-events");
    thread.setDaemon(true);
    thread.start();
  }

  /** Follows {@code runId} from now on; its follower goes when the run ends. */
  RunFollower follow(String runId) {
    return followers.computeIfAbsent(
        runId,
        id -> {
          RunFollower f = new RunFollower(id);
          f.onEnd(() -> followers.remove(id, f));
          return f;
        });
  }

  /** Whether {@code runId} is followed already (a handle of this client awaits it). */
  boolean follows(String runId) {
    return followers.containsKey(runId);
  }

  /** Stops following {@code follower}'s run (its start failed). */
  void unfollow(RunFollower follower) {
    followers.remove(follower.runId, follower);
  }

  /** The follower of {@code runId}, or null when this client does not follow it. */
  RunFollower followerOf(String runId) {
    return followers.get(runId);
  }

  /** How many runs are followed now. */
  int following() {
    return followers.size();
  }

  private void run() {
    try {
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() == null) {
            continue;
          }
          RunFollower f = followers.get(new String(r.key(), StandardCharsets.UTF_8));
          if (f == null) {
            continue;
          }
          RunEvent event;
          try {
            event = wire.decode(r.value(), RunEvent.class);
          } catch (RuntimeException e) {
            LOG.warn("an event of run {} cannot be read: {}", f.runId, e.getMessage());
            continue;
          }
          if (f.accept(event)) {
            followers.remove(f.runId, f);
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("the client's event reader stopped: {}", e.toString());
      followers
          .values()
          .forEach(
              f ->
                  f.result.completeExceptionally(
                      new BatonException("the client stopped reading run events: " + e, e)));
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    followers
        .values()
        .forEach(
            f ->
                f.result.completeExceptionally(
                    new BatonException("the client closed before run '" + f.runId + "' ended")));
  }
}
