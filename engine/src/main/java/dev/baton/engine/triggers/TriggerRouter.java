package dev.baton.engine.triggers;

import dev.baton.kafka.KafkaProperties;
import dev.baton.kafka.PollLoops;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.EventFormatException;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the trigger rules ({@code on:}) and the event waits ({@code wait.event}) of the applied
 * templates: subscribes to the topics they name (again whenever the set changes, no restart), reads
 * each domain event (JSON or Confluent-framed Avro), and for every rule whose filter passes
 * publishes a trigger with the mapped params. Its idempotency key is the rule's key expression (or
 * the event record's coordinates), so a redelivered event starts no second run. For event waits it
 * sends the event's correlation records ({@link #routeToWaits}). A mapping that fails sends the
 * event to the dead-letter topic with the reason. Offsets are committed after the triggers are
 * written.
 */
public final class TriggerRouter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TriggerRouter.class);

  private final TemplateCatalog catalog;
  private final Topics topics;
  private final Wire wire;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final AtomicBoolean running = new AtomicBoolean(true);

  /** A record sent for an event polled since the last commit, and that event. */
  private record Sent(Future<RecordMetadata> ack, ConsumerRecord<byte[], byte[]> source) {}

  /** Records sent for the events polled since the last commit (read on the router's thread). */
  private final List<Sent> sent = new ArrayList<>();

  private final Set<String> reading = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile EventRoutes routes;
  public final AtomicLong started = new AtomicLong();
  public final AtomicLong ignored = new AtomicLong();
  public final AtomicLong deadLettered = new AtomicLong();

  public final AtomicLong correlated = new AtomicLong();

  public TriggerRouter(
      String bootstrapServers,
      String groupId,
      Map<String, String> kafka,
      Topics topics,
      Wire wire,
      TemplateCatalog catalog) {
    this.catalog = catalog;
    this.topics = topics;
    this.wire = wire;
    this.routes = EventRoutes.none(topics, wire);
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A template applied now starts runs for events from now on, not for a topic's history.
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5000);
    c.put(
        ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
        false); // following a topic never creates it
    c.putAll(kafka);
    this.consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.producer =
        new KafkaProducer<>(
            KafkaProperties.reliableProducer(bootstrapServers, kafka),
            new StringSerializer(),
            new ByteArraySerializer());
    this.thread = new Thread(this::run, "baton-trigger-rules");
  }

  public TriggerRouter start() {
    thread.start();
    return this;
  }

  /** Whether a rule or wait follows {@code topic} now (it may not exist yet). */
  public boolean follows(String topic) {
    return routes.topics().contains(topic);
  }

  /** Whether events of {@code topic} are being read now (its partitions assigned here). */
  public boolean reading(String topic) {
    return reading.contains(topic);
  }

  private void run() {
    long nextRefresh = 0;
    try {
      while (running.get()) {
        try {
          if (System.currentTimeMillis() >= nextRefresh) {
            refresh();
            nextRefresh = System.currentTimeMillis() + 1000;
          }
          if (routes.isEmpty()) {
            TimeUnit.MILLISECONDS.sleep(200);
            continue;
          }
          var records = consumer.poll(Duration.ofMillis(200));
          for (ConsumerRecord<byte[], byte[]> record : records) {
            route(record);
          }
          if (!records.isEmpty()) {
            awaitSends();
            consumer.commitSync();
          }
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          // Kafka is away for a moment: start over from the committed offsets (repeated triggers
          // are deduplicated).
          LOG.warn("trigger rules: {}; starting over in 1 s", e.toString());
          routes = EventRoutes.none(topics, wire);
          sent.clear();
          reading.clear();
          consumer.unsubscribe();
          TimeUnit.SECONDS.sleep(1);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("trigger rules stopped on an unexpected error", e);
    } finally {
      consumer.close();
    }
  }

  private void refresh() {
    EventRoutes next = EventRoutes.of(catalog, topics, wire);
    Set<String> followed = next.topics();
    Set<String> following = routes.topics();
    if (!followed.equals(following)) {
      LOG.info("trigger rules and waits now follow topics {}", followed);
      noteAbsent(followed, following);
      if (followed.isEmpty()) {
        consumer.unsubscribe();
        reading.clear();
      } else {
        consumer.subscribe(
            followed,
            new ConsumerRebalanceListener() {
              @Override
              public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                partitions.forEach(tp -> reading.remove(tp.topic()));
              }

              @Override
              public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                readNewTopicsFromTheStart(partitions);
                // Fix the starting offsets now and commit them: later events are all seen, by this
                // instance or by the one that gets the partition next (which would otherwise start
                // at the end the moment it is assigned, and miss what came in between).
                Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
                partitions.forEach(
                    tp -> start.put(tp, new OffsetAndMetadata(consumer.position(tp))));
                if (!start.isEmpty()) {
                  consumer.commitSync(start);
                }
                partitions.forEach(tp -> reading.add(tp.topic()));
              }
            });
      }
    }
    routes = next;
  }

  /**
   * Topics followed that did not exist when a rule or wait began to follow them: created since, all
   * they hold came after the rule, so they are read from their beginning (not from their end, which
   * would lose what was written before their partitions were assigned here).
   */
  private final Set<String> absentWhenFollowed = new HashSet<>();

  private void noteAbsent(Set<String> followed, Set<String> following) {
    Set<String> added = new TreeSet<>(followed);
    added.removeAll(following);
    if (added.isEmpty()) {
      return;
    }
    Set<String> existing = consumer.listTopics(Duration.ofSeconds(10)).keySet();
    for (String topic : added) {
      if (!existing.contains(topic)) {
        absentWhenFollowed.add(topic);
      }
    }
  }

  private void readNewTopicsFromTheStart(Collection<TopicPartition> partitions) {
    Set<TopicPartition> created = new HashSet<>();
    partitions.forEach(
        tp -> {
          if (absentWhenFollowed.contains(tp.topic())) {
            created.add(tp);
          }
        });
    if (created.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(created);
    List<TopicPartition> unread = created.stream().filter(tp -> committed.get(tp) == null).toList();
    if (!unread.isEmpty()) {
      LOG.info("reading {} from the beginning: created after the rule that follows it", unread);
      consumer.seekToBeginning(unread);
    }
    created.forEach(tp -> absentWhenFollowed.remove(tp.topic()));
  }

  private void route(ConsumerRecord<byte[], byte[]> record) {
    Map<String, Object> event;
    try {
      event = wire.decodeMap(record.value());
    } catch (EventFormatException e) {
      deadLetter(record, "unreadable domain event: " + e.getMessage());
      return;
    }
    for (EventRoutes.Routed r : routes.route(record, event)) {
      if (r instanceof EventRoutes.Routed.Trigger t) {
        send(t.record(), record);
        started.incrementAndGet();
      } else if (r instanceof EventRoutes.Routed.Correlation c) {
        send(c.record(), record);
        correlated.incrementAndGet();
      } else if (r instanceof EventRoutes.Routed.DeadLetter d) {
        deadLetter(record, d.reason());
      } else {
        ignored.incrementAndGet();
      }
    }
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
    deadLettered.incrementAndGet();
    LOG.warn(
        "dead-lettered {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
    send(
        DeadLetters.of(
            topics.dlq(),
            record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
            record,
            reason,
            "trigger-rules"),
        record);
  }

  private void send(ProducerRecord<String, byte[]> out, ConsumerRecord<byte[], byte[]> source) {
    sent.add(new Sent(producer.send(out), source));
  }

  /**
   * Waits until every record sent for the polled events is acknowledged: only then are the events'
   * offsets committed. A record Kafka refuses for itself (too large) dead-letters its event, and
   * the router goes on; any other failure starts over from the committed offsets (the triggers are
   * deduplicated by their idempotency keys).
   */
  private void awaitSends() throws InterruptedException {
    Map<Sent, Throwable> refused = new LinkedHashMap<>();
    List<Sent> waiting = List.copyOf(sent);
    sent.clear();
    for (Sent s : waiting) {
      try {
        s.ack().get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RecordTooLargeException)) {
          throw new KafkaException("a trigger or dead letter was not written", e.getCause());
        }
        refused.put(s, e.getCause());
      }
    }
    refused.forEach(
        (s, why) -> deadLetter(s.source(), "Kafka refused what the event maps to: " + why));
    for (Sent s : List.copyOf(sent)) {
      try {
        s.ack().get();
      } catch (ExecutionException e) {
        // A dead letter is cut to fit; one refused all the same is logged, not retried forever.
        LOG.error(
            "dead letter of {}-{}@{} not written: {}",
            s.source().topic(),
            s.source().partition(),
            s.source().offset(),
            e.getCause().toString());
      }
    }
    sent.clear();
  }

  @Override
  public void close() {
    running.set(false);
    PollLoops.stop(consumer, thread);
    producer.close();
  }
}
