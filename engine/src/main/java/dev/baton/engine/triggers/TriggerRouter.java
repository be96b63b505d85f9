package dev.baton.engine.triggers;

import dev.baton.engine.template.Expressions;
import dev.baton.engine.template.Template;
import dev.baton.engine.template.TriggerRule;
import dev.baton.events.WorkflowTrigger;
import dev.baton.kafka.KafkaProperties;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.EventFormatException;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the trigger rules ({@code on:}) of the applied templates: subscribes to the topics they
 * name (again whenever the set changes, no restart), reads each domain event (JSON or
 * Confluent-framed Avro), and for every rule whose filter passes publishes a trigger with the
 * mapped params. Its idempotency key is the rule's key expression (or the event record's
 * coordinates), so a redelivered event starts no second run. A mapping that fails sends the event
 * to the dead-letter topic with the reason. Offsets are committed after the triggers are written.
 */
public final class TriggerRouter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TriggerRouter.class);

  private final TemplateCatalog catalog;
  private final Topics topics;
  private final Wire wire;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final AtomicBoolean running = new AtomicBoolean(true);

  /** Records sent for the events polled since the last commit (read on the router's thread). */
  private final List<Future<RecordMetadata>> sent = new ArrayList<>();

  private final Set<String> reading = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private Map<String, List<Rule>> rules = Map.of();
  public final AtomicLong started = new AtomicLong();
  public final AtomicLong ignored = new AtomicLong();
  public final AtomicLong deadLettered = new AtomicLong();

  record Rule(Template template, TriggerRule rule) {}

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
          if (rules.isEmpty()) {
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
          rules = Map.of();
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
    Map<String, List<Rule>> next = new LinkedHashMap<>();
    for (Template t : catalog.latest()) {
      for (TriggerRule rule : t.on()) {
        next.computeIfAbsent(rule.topic(), k -> new ArrayList<>()).add(new Rule(t, rule));
      }
    }
    if (!next.keySet().equals(rules.keySet())) {
      LOG.info("trigger rules now follow topics {}", new TreeSet<>(next.keySet()));
      if (next.isEmpty()) {
        consumer.unsubscribe();
        reading.clear();
      } else {
        consumer.subscribe(
            next.keySet(),
            new ConsumerRebalanceListener() {
              @Override
              public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                partitions.forEach(tp -> reading.remove(tp.topic()));
              }

              @Override
              public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
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
    rules = next;
  }

  private void route(ConsumerRecord<byte[], byte[]> record) {
    Map<String, Object> event;
    try {
      event = wire.decodeMap(record.value());
    } catch (EventFormatException e) {
      deadLetter(record, "unreadable domain event: " + e.getMessage());
      return;
    }
    for (Rule r : rules.getOrDefault(record.topic(), List.of())) {
      try {
        if (r.rule().filter() != null && !Expressions.evalEventBool(r.rule().filter(), event)) {
          ignored.incrementAndGet();
          continue;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (Map.Entry<String, String> p : r.rule().params().entrySet()) {
          params.put(p.getKey(), Expressions.text(Expressions.evalEvent(p.getValue(), event)));
        }
        String key =
            r.template().name()
                + "/"
                + (r.rule().idempotencyKey() == null
                    ? record.topic() + "-" + record.partition() + "@" + record.offset()
                    : record.topic() + "/" + eventKey(r.rule().idempotencyKey(), event));
        WorkflowTrigger trigger =
            WorkflowTrigger.newBuilder()
                .setTemplate(r.template().name())
                .setParams(params)
                .setIdempotencyKey(key)
                .setOccurredAt(Instant.ofEpochMilli(record.timestamp()))
                .build();
        sent.add(producer.send(TriggerRecords.keyedByRun(topics, wire, trigger)));
        started.incrementAndGet();
      } catch (Expressions.InvalidExpressionException e) {
        deadLetter(
            record,
            "trigger rule of template '"
                + r.template().name()
                + "' on "
                + record.topic()
                + ": "
                + e.getMessage());
      }
    }
  }

  /**
   * The rule's key for this event: a value, and not an empty one (every such event would be one
   * run).
   */
  private static String eventKey(String expression, Map<String, Object> event)
      throws Expressions.InvalidExpressionException {
    String key = Expressions.text(Expressions.evalEvent(expression, event));
    if (key.isBlank()) {
      throw new Expressions.InvalidExpressionException(
          "key '" + Expressions.shortened(expression) + "' gave an empty string");
    }
    return key;
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
    deadLettered.incrementAndGet();
    LOG.warn(
        "dead-lettered {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
    sent.add(
        producer.send(
            DeadLetters.of(
                topics.dlq(),
                record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                record,
                reason,
                "trigger-rules")));
  }

  /**
   * Waits until every record sent for the polled events is acknowledged: only then are the events'
   * offsets committed. A failed send starts over from the committed offsets (the triggers are
   * deduplicated by their idempotency keys).
   */
  private void awaitSends() throws InterruptedException {
    try {
      for (Future<RecordMetadata> f : sent) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new KafkaException("a trigger or dead letter was not written", e.getCause());
    } finally {
      sent.clear();
    }
  }

  @Override
  public void close() {
    running.set(false);
    dev.baton.kafka.PollLoops.stop(consumer, thread);
    producer.close();
  }
}
