package dev.baton.engine.triggers;

import dev.baton.engine.correlate.CorrelationRecord;
import dev.baton.engine.template.Expressions;
import dev.baton.engine.template.JobSpec;
import dev.baton.engine.template.Template;
import dev.baton.engine.template.TriggerRule;
import dev.baton.engine.template.WaitSpec;
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
import org.apache.kafka.clients.producer.ProducerRecord;
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

  /** Records sent for the events polled since the last commit (read on the router's thread). */
  private final List<Future<RecordMetadata>> sent = new ArrayList<>();

  private final Set<String> reading = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private Map<String, List<Rule>> rules = Map.of();
  public final AtomicLong started = new AtomicLong();
  public final AtomicLong ignored = new AtomicLong();
  public final AtomicLong deadLettered = new AtomicLong();

  record Rule(Template template, TriggerRule rule) {}

  /**
   * A wait step's event rule, as one or more stored versions of its template define it alike
   * (whatever each run's {@code match}): evaluated once per event, routed under each version's
   * name.
   */
  record WaitRule(String template, String job, WaitSpec.EventWait event, List<Integer> versions) {
    List<String> names() {
      return versions.stream().map(v -> WaitSpec.ruleName(template, v, job)).toList();
    }

    /** For dead letters: {@code template/job} and its versions. */
    String describe() {
      return template
          + "/"
          + job
          + "' (version"
          + (versions.size() > 1 ? "s " : " ")
          + versions.stream()
              .map(String::valueOf)
              .collect(java.util.stream.Collectors.joining(", "))
          + ")";
    }
  }

  /** What makes two versions' waits the same rule for routing: all but the run's match. */
  private record WaitDefinition(
      String template,
      String job,
      String topic,
      String key,
      String filter,
      Map<String, String> outputs,
      java.time.Duration buffer) {}

  private Map<String, List<WaitRule>> waits = Map.of();
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
          if (rules.isEmpty() && waits.isEmpty()) {
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
          waits = Map.of();
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
    Map<String, List<WaitRule>> nextWaits = new LinkedHashMap<>();
    for (Template t : catalog.latest()) {
      for (TriggerRule rule : t.on()) {
        next.computeIfAbsent(rule.topic(), k -> new ArrayList<>()).add(new Rule(t, rule));
      }
    }
    // Waits of every stored version: a run waits as the version it started with says.
    Map<WaitDefinition, List<Integer>> versions = new LinkedHashMap<>();
    Map<WaitDefinition, WaitSpec.EventWait> events = new HashMap<>();
    for (Template t : catalog.allVersions()) {
      for (JobSpec job : t.jobs()) {
        if (job.waitFor() != null && job.waitFor().event() != null) {
          WaitSpec.EventWait e = job.waitFor().event();
          WaitDefinition d =
              new WaitDefinition(
                  t.name(), job.name(), e.topic(), e.key(), e.filter(), e.outputs(), e.buffer());
          versions.computeIfAbsent(d, k -> new ArrayList<>()).add(t.version());
          events.putIfAbsent(d, e);
        }
      }
    }
    versions.forEach(
        (d, vs) ->
            nextWaits
                .computeIfAbsent(d.topic(), k -> new ArrayList<>())
                .add(
                    new WaitRule(
                        d.template(), d.job(), events.get(d), vs.stream().sorted().toList())));
    Set<String> followed = new TreeSet<>(next.keySet());
    followed.addAll(nextWaits.keySet());
    Set<String> following = new TreeSet<>(rules.keySet());
    following.addAll(waits.keySet());
    if (!followed.equals(following)) {
      LOG.info("trigger rules and waits now follow topics {}", followed);
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
    waits = nextWaits;
  }

  private void route(ConsumerRecord<byte[], byte[]> record) {
    Map<String, Object> event;
    try {
      event = wire.decodeMap(record.value());
    } catch (EventFormatException e) {
      deadLetter(record, "unreadable domain event: " + e.getMessage());
      return;
    }
    routeToWaits(record, event);
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
   * An event on a topic that wait steps wait on: for each wait whose filter passes, its correlation
   * key and outputs; one record per key to the correlations topic, where the waiting attempts are.
   * A key, filter or output that cannot be evaluated dead-letters the event with the wait's name.
   */
  private void routeToWaits(ConsumerRecord<byte[], byte[]> record, Map<String, Object> event) {
    List<WaitRule> ws = waits.getOrDefault(record.topic(), List.of());
    if (ws.isEmpty()) {
      return;
    }
    Map<String, Map<String, Map<String, String>>> byKey = new LinkedHashMap<>();
    Map<String, Long> buffers = new HashMap<>();
    for (WaitRule w : ws) {
      WaitSpec.EventWait e = w.event();
      try {
        if (e.filter() != null && !Expressions.evalEventBool(e.filter(), event)) {
          continue;
        }
        String key = eventKey(e.key(), event);
        if (key.length() > WaitSpec.MAX_KEY_CHARS) {
          throw new Expressions.InvalidExpressionException(
              "key '"
                  + Expressions.shortened(e.key())
                  + "' gave "
                  + key.length()
                  + " characters; at most "
                  + WaitSpec.MAX_KEY_CHARS);
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        for (Map.Entry<String, String> o : e.outputs().entrySet()) {
          outputs.put(o.getKey(), Expressions.text(Expressions.evalEvent(o.getValue(), event)));
        }
        Map<String, Map<String, String>> rules =
            byKey.computeIfAbsent(key, k -> new LinkedHashMap<>());
        w.names().forEach(name -> rules.put(name, outputs));
        buffers.merge(key, e.buffer().toMillis(), Math::max);
      } catch (Expressions.InvalidExpressionException ex) {
        deadLetter(
            record, "wait '" + w.describe() + " on " + record.topic() + ": " + ex.getMessage());
      }
    }
    String id = eventId(record);
    for (Map.Entry<String, Map<String, Map<String, String>>> k : byKey.entrySet()) {
      byte[] value =
          CorrelationRecord.encode(
              new CorrelationRecord.Event(
                  id,
                  record.topic(),
                  k.getKey(),
                  record.timestamp(),
                  buffers.get(k.getKey()),
                  k.getValue()));
      if (value.length > MAX_CORRELATION_BYTES) {
        deadLetter(
            record,
            "waits "
                + k.getValue().keySet()
                + " on "
                + record.topic()
                + ": their outputs from this event are "
                + value.length
                + " bytes; at most "
                + MAX_CORRELATION_BYTES);
        continue;
      }
      sent.add(
          producer.send(
              new ProducerRecord<>(
                  topics.correlations(),
                  CorrelationRecord.key(record.topic(), k.getKey()),
                  value)));
      correlated.incrementAndGet();
    }
  }

  /** Most bytes of one event's record on the correlations topic (outputs of all its waits). */
  static final int MAX_CORRELATION_BYTES = 256 * 1024;

  /**
   * An event's id: a hash of its topic, key and value, so the same record sent twice has one id.
   */
  static String eventId(ConsumerRecord<byte[], byte[]> record) {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      sha.update(record.topic().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      if (record.key() != null) {
        sha.update(record.key());
      }
      sha.update((byte) 0);
      if (record.value() != null) {
        sha.update(record.value());
      }
      return record.topic() + ":" + java.util.HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
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
