package dev.baton.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Every record of a topic up to its current end, read once (aborted transactions' records too:
 * read_uncommitted).
 */
final class TopicReaderOnce {
  private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

  TopicReaderOnce(String bootstrap, String topic) {
    forEach(bootstrap, List.of(topic), records::add);
  }

  /**
   * Hands every record of these topics up to their current ends to {@code each}, with one consumer;
   * fails when the ends are not reached within two minutes.
   */
  static void forEach(
      String bootstrap,
      java.util.Collection<String> topics,
      java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "test-once-" + UUID.randomUUID());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        consumer
            .partitionsFor(topic, Duration.ofSeconds(10))
            .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the ends of " + topics + " not reached in 2 minutes");
        }
        consumer.poll(Duration.ofMillis(100)).forEach(each);
      }
    }
  }

  List<byte[]> values() {
    return records.stream().map(ConsumerRecord::value).toList();
  }

  List<ConsumerRecord<byte[], byte[]>> records() {
    return records;
  }
}
