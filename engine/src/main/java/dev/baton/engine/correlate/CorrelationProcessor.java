package dev.baton.engine.correlate;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.engine.decide.JobState;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meets awaited events and waiting attempts on the correlations topic, keyed by correlation key:
 * for each key a {@link Correlations} in a Kafka Streams store (changelogged, so under exactly-once
 * a delivery and the state that records it commit together), and a DELIVER command on the commands
 * topic for each delivery. An expiry index (time|key) lets a punctuation drop what expired without
 * reading the other keys.
 */
public final class CorrelationProcessor
    implements Processor<String, byte[], String, OutboundRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(CorrelationProcessor.class);
  public static final String STORE = "baton-correlations";
  public static final String EXPIRY_STORE = "baton-correlation-expiry";
  static final Duration EXPIRY_SWEEP = Duration.ofSeconds(5);

  private final Topics topics;
  private final Wire wire;
  private ProcessorContext<String, OutboundRecord> context;
  private KeyValueStore<String, String> store;
  private KeyValueStore<String, String> expiry;

  public CorrelationProcessor(Topics topics, Wire wire) {
    this.topics = topics;
    this.wire = wire;
  }

  @Override
  public void init(ProcessorContext<String, OutboundRecord> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    this.expiry = context.getStateStore(EXPIRY_STORE);
    context.schedule(EXPIRY_SWEEP, PunctuationType.WALL_CLOCK_TIME, this::sweep);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    CorrelationRecord r;
    try {
      r = CorrelationRecord.decode(record.value());
    } catch (IOException | RuntimeException e) {
      deadLetter(record, "unreadable correlation record: " + e.getMessage());
      return;
    }
    String key = CorrelationRecord.key(r.topic(), r.key());
    long now = context.currentSystemTimeMs();
    Correlations c = load(key);
    try {
      for (Correlations.Delivery d : c.apply(r, now)) {
        deliver(d, record.timestamp());
      }
    } catch (IllegalStateException e) {
      deadLetter(record, e.getMessage());
      return;
    }
    save(key, c);
    // A delivery waits for its transaction: ask for the commit now, not at the commit interval.
    context.commit();
  }

  private void deliver(Correlations.Delivery d, long timestamp) {
    Correlations.Waiter w = d.to();
    RunCommand command =
        RunCommand.newBuilder()
            .setEventId(
                "deliver:"
                    + d.eventId()
                    + ":"
                    + JobState.attemptId(w.runId(), w.job(), w.attempt()))
            .setRunId(w.runId())
            .setOccurredAt(Instant.ofEpochMilli(timestamp))
            .setType(RunCommandType.DELIVER)
            .setJob(w.job())
            .setAttempt(w.attempt())
            .setValues(d.outputs())
            .setSource(d.eventId())
            .build();
    forward(
        new OutboundRecord(
            topics.commands(), w.runId(), wire.encode(topics.commands(), command), Map.of()),
        timestamp);
  }

  private Correlations load(String key) {
    String json = store.get(key);
    if (json == null) {
      return new Correlations();
    }
    try {
      return CorrelationRecord.JSON.readValue(json, Correlations.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("correlation state of " + key + " is unreadable", e);
    }
  }

  private void save(String key, Correlations c) {
    if (c.isEmpty()) {
      store.delete(key);
      return;
    }
    try {
      store.put(key, CorrelationRecord.JSON.writeValueAsString(c));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    long next = c.nextExpiry();
    if (next != Long.MAX_VALUE) {
      expiry.put(expiryKey(next, key), "");
    }
  }

  static String expiryKey(long at, String key) {
    return String.format("%015d|%s", at, key);
  }

  /** Drops what expired by now, key by key, from the expiry index. */
  private void sweep(long now) {
    Set<String> keys = new LinkedHashSet<>();
    Map<String, String> done = new LinkedHashMap<>();
    try (KeyValueIterator<String, String> due =
        expiry.range(expiryKey(0, ""), expiryKey(now, "\uffff"))) {
      while (due.hasNext()) {
        KeyValue<String, String> e = due.next();
        done.put(e.key, "");
        keys.add(e.key.substring(e.key.indexOf('|') + 1));
      }
    }
    done.keySet().forEach(expiry::delete);
    for (String key : keys) {
      Correlations c = load(key);
      c.expire(now);
      save(key, c);
    }
    if (!keys.isEmpty()) {
      LOG.debug("correlations: {} keys swept", keys.size());
    }
  }

  private void deadLetter(Record<String, byte[]> record, String reason) {
    LOG.warn("correlation record {} dead-lettered: {}", record.key(), reason);
    Map<String, byte[]> headers = new LinkedHashMap<>();
    headers.put(DeadLetters.REASON, reason.getBytes(StandardCharsets.UTF_8));
    headers.put(DeadLetters.STAGE, "correlations".getBytes(StandardCharsets.UTF_8));
    headers.put(DeadLetters.SOURCE_TOPIC, topics.correlations().getBytes(StandardCharsets.UTF_8));
    forward(
        new OutboundRecord(topics.dlq(), record.key(), record.value(), headers),
        record.timestamp());
  }

  private void forward(OutboundRecord o, long timestamp) {
    Record<String, OutboundRecord> r = new Record<>(o.key(), o, timestamp);
    o.headers().forEach((k, v) -> r.headers().add(k, v));
    context.forward(r);
  }
}
