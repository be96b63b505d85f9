package dev.baton.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads every committed record of a topic from the beginning, in the background, into a list. */
final class TopicReader implements AutoCloseable {
  private final List<ConsumerRecord<byte[], byte[]>> records = new CopyOnWriteArrayList<>();
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
                  consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                }
              }
            },
            "reader-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  List<ConsumerRecord<byte[], byte[]>> records() {
    return records;
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
