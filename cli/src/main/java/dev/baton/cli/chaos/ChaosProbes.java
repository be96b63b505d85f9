package dev.baton.cli.chaos;

import dev.baton.events.RunEvent;
import dev.baton.serde.EventCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What the chaos run reads of its cluster: logs, heaps, topics. */
final class ChaosProbes {
  private ChaosProbes() {}

  /** Lines holding {@code mark} in the dispatchers' logs. */
  static long countLines(Path work, String mark) throws IOException {
    long n = 0;
    try (var logs = Files.list(work)) {
      for (Path log :
          logs.filter(p -> p.getFileName().toString().matches("dispatcher-\\d+\\.log")).toList()) {
        try (var lines = Files.lines(log)) {
          n += lines.filter(l -> l.contains(mark)).count();
        }
      }
    }
    return n;
  }

  /** Heap in use by a JVM, from {@code jcmd <pid> GC.heap_info}. */
  static Optional<Long> heapUsedKb(long pid) {
    try {
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  Long.toString(pid),
                  "GC.heap_info")
              .redirectErrorStream(true)
              .start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      var m = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K").matcher(text);
      return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /**
   * Records on a topic now, read to its end as committed (offsets alone would count transaction
   * markers and aborted records too).
   */
  static long countRecords(String bootstrap, String topic) {
    try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap)) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long n = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
          && System.nanoTime() < deadline) {
        n += consumer.poll(Duration.ofMillis(500)).count();
      }
      return n;
    }
  }

  static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("isolation.level", "read_committed");
    p.put("client.id", "baton-chaos-" + UUID.randomUUID());
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  static Set<String> ended(Set<String> succeeded, Set<String> failed) {
    Set<String> all = ConcurrentHashMap.newKeySet();
    all.addAll(succeeded);
    all.addAll(failed);
    return all;
  }

  private static final EventCodec<RunEvent> EVENTS = EventCodec.of(RunEvent.class);

  /** Adds the runs whose start or end the next poll reads; a broker restarting is waited out. */
  static void readEnds(
      KafkaConsumer<String, byte[]> consumer,
      Set<String> started,
      Set<String> succeeded,
      Set<String> failed) {
    try {
      for (var r : consumer.poll(Duration.ofMillis(500))) {
        RunEvent e = EVENTS.decode(r.value());
        switch (e.getType()) {
          case RUN_STARTED -> started.add(e.getRunId());
          case RUN_SUCCEEDED -> succeeded.add(e.getRunId());
          case RUN_FAILED -> failed.add(e.getRunId());
          default -> {}
        }
      }
    } catch (KafkaException e) {
      // the broker is restarting
    }
  }
}
