package dev.baton.engine.api;

import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.RunSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ended runs from the history topic, where the engine writes each run's summary as it ends (kept 30
 * days): runs that left Redis are still listed and shown. The API follows the topic and keeps the
 * newest summaries in memory, at most {@value #KEPT} and {@link #KEPT_BYTES} bytes of them; {@link
 * #read} reads a time range once (the CLI).
 */
public final class RunHistory implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunHistory.class);

  /** Most summaries the API keeps: the newest, by when they were written. */
  public static final int KEPT = 10_000;

  /** Most records one {@link #read} takes from one partition. */
  static final int MAX_READ = 200_000;

  /** Most bytes of summaries the API keeps (as they were on the topic): the oldest go first. */
  public static final long KEPT_BYTES = 64L * 1024 * 1024;

  private final long maxBytes;
  private final Map<String, RunState> kept = new LinkedHashMap<>();
  private final Map<String, Integer> sizes = new HashMap<>();
  private long keptBytes;

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  private volatile KafkaConsumer<String, byte[]> consumer;

  /** Follows {@code topic} from its start, in a thread of its own. */
  public RunHistory(Properties kafka, String topic) {
    maxBytes = KEPT_BYTES;
    thread = new Thread(() -> follow(kafka, topic), "baton-api-history");
    thread.setDaemon(true);
    thread.start();
  }

  /** A history of at most {@code maxBytes} that follows no topic: {@link #take} fills it. */
  RunHistory(long maxBytes) {
    this.maxBytes = maxBytes;
    thread = new Thread(() -> {});
  }

  private static RunState parse(byte[] value) {
    return RunSummary.parse(value);
  }

  private void follow(Properties kafka, String topic) {
    while (running.get()) {
      try (KafkaConsumer<String, byte[]> c = consumer(kafka)) {
        consumer = c;
        List<TopicPartition> tps =
            c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(topic, i.partition()))
                .toList();
        c.assign(tps);
        c.seekToBeginning(tps);
        while (running.get()) {
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
            take(r);
          }
        }
      } catch (WakeupException | InterruptException e) {
        return;
      } catch (RuntimeException e) {
        if (running.get()) {
          LOG.warn("run history: {}; starting over in 1 s", e.toString());
          try {
            Thread.sleep(1000);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }
  }

  void take(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null || r.value() == null) {
      return;
    }
    try {
      RunState run = parse(r.value());
      synchronized (kept) {
        forget(r.key());
        kept.put(r.key(), run);
        sizes.put(r.key(), r.value().length);
        keptBytes += r.value().length;
        var eldest = kept.keySet().iterator();
        while (kept.size() > KEPT || keptBytes > maxBytes) {
          String id = eldest.next();
          eldest.remove();
          keptBytes -= sizes.remove(id);
        }
      }
    } catch (RuntimeException unreadable) {
      // not a summary this engine can read: nothing to show
    }
  }

  private void forget(String runId) {
    if (kept.remove(runId) != null) {
      keptBytes -= sizes.remove(runId);
    }
  }

  /** Bytes of the summaries kept now. */
  long keptBytes() {
    synchronized (kept) {
      return keptBytes;
    }
  }

  private static KafkaConsumer<String, byte[]> consumer(Properties kafka) {
    Properties p = new Properties();
    p.putAll(kafka);
    p.put("isolation.level", "read_committed");
    p.put("enable.auto.commit", "false");
    p.put("client.id", "baton-history-" + UUID.randomUUID());
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  public Optional<RunState> find(String runId) {
    synchronized (kept) {
      return Optional.ofNullable(kept.get(runId));
    }
  }

  /** The newest kept runs that match, leaving out {@code except}, newest first. */
  public List<RunState> newest(RunQuery query, int limit, Set<String> except) {
    List<RunState> all;
    synchronized (kept) {
      all = new ArrayList<>(kept.values());
    }
    return matching(all, query, limit, except);
  }

  /** Of {@code runs}, the newest that match, leaving out {@code except}, newest first. */
  public static List<RunState> matching(
      List<RunState> runs, RunQuery query, int limit, Set<String> except) {
    return runs.stream()
        .filter(r -> !except.contains(r.runId()) && query.matches(r))
        .sorted(
            Comparator.comparing(
                RunState::createdAt, Comparator.nullsLast(Comparator.reverseOrder())))
        .limit(limit)
        .toList();
  }

  /**
   * The summaries written since {@code since} (at most {@value #MAX_READ} records a partition),
   * read once: what {@code baton runs --since} adds to the runs still in Redis.
   */
  public static List<RunState> read(Properties kafka, String topic, Instant since) {
    Map<String, RunState> found = new LinkedHashMap<>();
    try (KafkaConsumer<String, byte[]> c = consumer(kafka)) {
      List<TopicPartition> tps =
          c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      c.assign(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      Map<TopicPartition, Long> query = new HashMap<>();
      tps.forEach(tp -> query.put(tp, since.toEpochMilli()));
      Map<TopicPartition, OffsetAndTimestamp> from = c.offsetsForTimes(query);
      tps.forEach(tp -> c.seek(tp, from.get(tp) == null ? end.get(tp) : from.get(tp).offset()));
      Map<TopicPartition, Long> read = new HashMap<>();
      while (tps.stream()
          .anyMatch(tp -> c.position(tp) < end.get(tp) && read.getOrDefault(tp, 0L) < MAX_READ)) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
          read.merge(new TopicPartition(r.topic(), r.partition()), 1L, Long::sum);
          if (r.key() != null && r.value() != null) {
            try {
              found.put(r.key(), parse(r.value()));
            } catch (RuntimeException unreadable) {
              // not a summary: skipped
            }
          }
        }
      }
    }
    return new ArrayList<>(found.values());
  }

  @Override
  public void close() {
    running.set(false);
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
