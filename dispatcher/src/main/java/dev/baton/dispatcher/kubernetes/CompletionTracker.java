package dev.baton.dispatcher.kubernetes;

import dev.baton.security.AttemptTokens;
import dev.baton.serde.Wire;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which attempts have reported, read from the completions topic (from {@code lookback} ago, so a
 * restarted dispatcher knows too), into {@link ReportedAttempts}. The pod watcher reports only for
 * attempts not seen there, so a pod that reported itself is never reported again.
 */
public final class CompletionTracker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CompletionTracker.class);

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;

  private final ReportedAttempts reported;

  public CompletionTracker(
      String bootstrapServers,
      String topic,
      Duration lookback,
      Map<String, String> kafka,
      Wire wire,
      AttemptTokens tokens) {
    this.reported = new ReportedAttempts(wire, tokens);
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "baton-completion-tracker-" + UUID.randomUUID());
    p.putAll(kafka);
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(() -> run(consumer, topic, lookback), "baton-completion-tracker");
    thread.setDaemon(true);
    thread.start();
  }

  private void run(KafkaConsumer<byte[], byte[]> consumer, String topic, Duration lookback) {
    try (consumer) {
      while (running.get()) {
        try {
          follow(consumer, topic, lookback);
        } catch (RuntimeException e) {
          if (running.get()) {
            LOG.warn("completion tracker: {}; starting over in 1 s", e.toString());
            pause(Duration.ofSeconds(1));
          }
        }
      }
    }
  }

  private static void pause(Duration d) {
    try {
      TimeUnit.MILLISECONDS.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void follow(KafkaConsumer<byte[], byte[]> consumer, String topic, Duration lookback) {
    {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
      if (partitions.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist yet");
      }
      consumer.assign(partitions);
      Map<TopicPartition, Long> since = new HashMap<>();
      partitions.forEach(tp -> since.put(tp, Instant.now().minus(lookback).toEpochMilli()));
      Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(since);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      for (TopicPartition tp : partitions) {
        OffsetAndTimestamp o = offsets.get(tp);
        consumer.seek(tp, o == null ? ends.get(tp) : o.offset());
      }
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          reported.read(r.value());
        }
        if (caughtUp.getCount() > 0
            && partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp))) {
          caughtUp.countDown();
        }
      }
    }
  }

  /** What has been read so far, and what this dispatcher published itself. */
  public ReportedAttempts reported() {
    return reported;
  }

  /** Waits until everything published before start-up has been read. */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
