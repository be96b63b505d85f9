package dev.baton.cli.bench;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The load driver's consumers: each follows one topic on a thread of its own. */
final class Followers implements AutoCloseable {
  private final List<KafkaConsumer<String, byte[]>> consumers = new CopyOnWriteArrayList<>();

  /**
   * A read_committed consumer of {@code topic} from its end, on its own thread, once it has its
   * partitions.
   */
  void follow(
      String bootstrap,
      String topic,
      String group,
      Consumer<ConsumerRecord<String, byte[]>> handler) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (consumer.assignment().isEmpty()) {
      consumer.poll(Duration.ofMillis(100));
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the benchmark's runtime got no partitions of " + topic + " in 60 s");
      }
    }
    consumer.assignment().forEach(consumer::position); // fixes "latest" before the first run starts
    Thread loop = new Thread(() -> consume(consumer, handler), "bench-" + group);
    loop.setDaemon(true);
    loop.start();
    consumers.add(consumer);
  }

  private void consume(
      KafkaConsumer<String, byte[]> consumer, Consumer<ConsumerRecord<String, byte[]>> handler) {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          handler.accept(record);
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  /** Stops every consumer (each closes on its own thread). */
  @Override
  public void close() {
    consumers.forEach(KafkaConsumer::wakeup);
  }
}
