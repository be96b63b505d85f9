package dev.baton.engine.api;

import dev.baton.engine.EngineConfig;
import dev.baton.events.RunEvent;
import dev.baton.serde.RunIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
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
 * The run events every live view follows, from one consumer of the events topic for the whole API,
 * however many views are open. A new subscriber first gets its run's past events, read from the
 * run's partition from shortly before the run was created up to where the live consumer stands (so
 * nothing is missed or repeated), then the live ones. Each subscriber has a bounded queue; one that
 * falls {@value #QUEUE} events behind is dropped and told so.
 */
final class RunEventFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunEventFeed.class);
  static final int QUEUE = 1_000;

  /** Most records read for one subscriber's past events. */
  static final int MAX_HISTORY_RECORDS = 200_000;

  /** One follower of one run. {@code null} in the queue: the feed dropped it. */
  static final class Subscription {
    final String runId;
    final Instant since;
    final BlockingQueue<RunEvent> events = new LinkedBlockingQueue<>(QUEUE);
    final AtomicBoolean dropped = new AtomicBoolean();
    final AtomicBoolean closed = new AtomicBoolean();

    Subscription(String runId, Instant since) {
      this.runId = runId;
      this.since = since;
    }

    void offer(RunEvent e) {
      if (!dropped.get() && !events.offer(e)) {
        dropped.set(true);
      }
    }
  }

  private final EngineConfig config;
  private final Map<String, Set<Subscription>> byRun = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Subscription> joining = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  private volatile KafkaConsumer<String, byte[]> liveConsumer;

  RunEventFeed(EngineConfig config) {
    this(config, true);
  }

  /** {@code follow} false: no consumer runs (tests call {@link #catchUp}). */
  RunEventFeed(EngineConfig config, boolean follow) {
    this.config = config;
    this.thread = new Thread(this::run, "baton-api-events");
    thread.setDaemon(true);
    if (follow) {
      thread.start();
    }
  }

  /** The next subscriber waiting to catch up (tests). */
  Subscription nextJoining() {
    return joining.poll();
  }

  /** Follows {@code runId}, whose events start at {@code createdAt}. */
  Subscription subscribe(String runId, Instant createdAt) {
    Subscription s = new Subscription(runId, createdAt.minusSeconds(5));
    joining.add(s);
    return s;
  }

  /**
   * Stops following. Safe while the subscriber catches up: it is marked closed first, and the
   * catch-up takes out, once it has added it, a subscriber marked so.
   */
  void unsubscribe(Subscription s) {
    s.closed.set(true);
    joining.remove(s);
    remove(s);
  }

  private void remove(Subscription s) {
    Set<Subscription> set = byRun.get(s.runId);
    if (set != null) {
      set.remove(s);
      byRun.computeIfPresent(s.runId, (k, v) -> v.isEmpty() ? null : v);
    }
  }

  /** Runs followed now (tests: nothing leaks). */
  int followedRuns() {
    return byRun.size();
  }

  private Properties consumerProps() {
    Properties p = new Properties();
    p.put("bootstrap.servers", config.bootstrapServers());
    p.put("isolation.level", "read_committed");
    p.put("client.id", "baton-api-events-" + UUID.randomUUID());
    p.putAll(config.kafka());
    return p;
  }

  private void run() {
    while (running.get()) {
      try (KafkaConsumer<String, byte[]> live =
              new KafkaConsumer<>(
                  consumerProps(), new StringDeserializer(), new ByteArrayDeserializer());
          KafkaConsumer<String, byte[]> history =
              new KafkaConsumer<>(
                  consumerProps(), new StringDeserializer(), new ByteArrayDeserializer())) {
        liveConsumer = live;
        if (!running.get()) {
          return;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        live.partitionsFor(config.topics().events(), Duration.ofSeconds(30))
            .forEach(
                i -> partitions.add(new TopicPartition(config.topics().events(), i.partition())));
        live.assign(partitions);
        live.seekToEnd(partitions);
        partitions.forEach(live::position); // fix the live start now: history reads up to it
        while (running.get()) {
          for (Subscription s; (s = joining.poll()) != null; ) {
            catchUp(s, live, history, partitions.size());
          }
          for (ConsumerRecord<String, byte[]> r : live.poll(Duration.ofMillis(200))) {
            Set<Subscription> subs = r.key() == null ? null : byRun.get(r.key());
            if (subs != null) {
              RunEvent e = decode(r.value());
              if (e != null) {
                subs.forEach(s -> s.offer(e));
              }
            }
          }
        }
      } catch (WakeupException | InterruptException e) {
        return;
      } catch (RuntimeException e) {
        if (running.get()) {
          LOG.warn("live run events: {}; starting over in 1 s", e.toString());
          try {
            Thread.sleep(1000);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }
  }

  /** The subscriber's past events, from its run's partition up to the live position, then live. */
  void catchUp(
      Subscription s,
      Consumer<String, byte[]> live,
      Consumer<String, byte[]> history,
      int partitionCount) {
    TopicPartition tp =
        new TopicPartition(config.topics().events(), RunIds.partition(s.runId, partitionCount));
    long end = live.position(tp);
    history.assign(List.of(tp));
    OffsetAndTimestamp from = history.offsetsForTimes(Map.of(tp, s.since.toEpochMilli())).get(tp);
    history.seek(tp, from == null ? end : from.offset());
    long read = 0;
    while (history.position(tp) < end && read < MAX_HISTORY_RECORDS) {
      for (ConsumerRecord<String, byte[]> r : history.poll(Duration.ofMillis(200))) {
        if (r.offset() >= end) {
          break;
        }
        read++;
        if (s.runId.equals(r.key())) {
          RunEvent e = decode(r.value());
          if (e != null) {
            s.offer(e);
          }
        }
      }
    }
    byRun.computeIfAbsent(s.runId, k -> ConcurrentHashMap.newKeySet()).add(s);
    if (s.closed.get()) {
      remove(s); // unsubscribed while it caught up
    }
  }

  private RunEvent decode(byte[] value) {
    try {
      return config.wire().decode(value, RunEvent.class);
    } catch (RuntimeException e) {
      return null; // not an event this API can read: nothing to show
    }
  }

  @Override
  public void close() {
    running.set(false);
    KafkaConsumer<String, byte[]> live = liveConsumer;
    if (live != null) {
      live.wakeup(); // ends a poll at once; the consumers then close in their own thread
    }
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
