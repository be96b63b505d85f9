package dev.baton.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads every committed record of a topic from the beginning, in the background, into a list and an
 * index by key. A test's awaits ask for one run's records many times a second while the topic grows
 * to a hundred thousand records: the index answers them without a scan, and a poll's records are
 * appended without copying what is already held.
 */
final class TopicReader implements AutoCloseable {
  private final Object lock = new Object();
  private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
  private final Map<String, List<ConsumerRecord<byte[], byte[]>>> byKey = new HashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  TopicReader(String bootstrap, String topic) {
    this(bootstrap, topic, true);
  }

  /** With {@code committed} false, records of open and aborted transactions are read too. */
  TopicReader(String bootstrap, String topic, boolean committed) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "test-reader-" + UUID.randomUUID());
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    consumer
        .partitionsFor(topic, Duration.ofSeconds(10))
        .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    thread =
        new Thread(
            () -> {
              try (consumer) {
                while (running.get()) {
                  add(consumer.poll(Duration.ofMillis(100)));
                }
              }
            },
            "reader-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  private void add(Iterable<ConsumerRecord<byte[], byte[]>> polled) {
    synchronized (lock) {
      for (ConsumerRecord<byte[], byte[]> r : polled) {
        records.add(r);
        if (r.key() != null) {
          byKey
              .computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>())
              .add(r);
        }
      }
    }
  }

  /** The records read so far, in the order read. */
  List<ConsumerRecord<byte[], byte[]>> records() {
    synchronized (lock) {
      return List.copyOf(records);
    }
  }

  /** The records read so far whose key is {@code key} (UTF-8), in the order read. */
  List<ConsumerRecord<byte[], byte[]>> records(String key) {
    synchronized (lock) {
      return List.copyOf(byKey.getOrDefault(key, List.of()));
    }
  }

  @Override
  public void close() {
    running.set(false);
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
