package dev.baton.engine.correlate;

import dev.baton.engine.decide.JobState;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import dev.baton.security.AttemptTokens;
import dev.baton.security.CommandSignatures;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meets awaited events and waiting attempts on the correlations topic, keyed by correlation key:
 * each key's waiting attempts and kept events are entries of a Kafka Streams store ({@link
 * Correlations}; changelogged, so under exactly-once a delivery and the state that records it
 * commit together), and each delivery is a DELIVER command on the commands topic. An expiry index
 * (time|entry) lets a punctuation drop what expired without reading anything else. A record past a
 * bound goes to the dead-letter topic with the reason, and the next is applied.
 */
public final class CorrelationProcessor
    implements Processor<String, byte[], String, OutboundRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(CorrelationProcessor.class);
  public static final String STORE = "baton-correlations";
  public static final String EXPIRY_STORE = "baton-correlation-expiry";
  static final Duration EXPIRY_SWEEP = Duration.ofSeconds(5);

  /** Most bytes of one record on the correlations topic: its kept form must fit a changelog. */
  static final int MAX_RECORD_BYTES = Correlations.MAX_EVENT_BYTES;

  private final Topics topics;
  private final Wire wire;
  private final AttemptTokens tokens;
  private ProcessorContext<String, OutboundRecord> context;
  private EntryStore entries;
  private EntryStore expiry;

  /** {@code tokens}: the engine's key, which signs the DELIVER commands. */
  public CorrelationProcessor(Topics topics, Wire wire, AttemptTokens tokens) {
    this.topics = topics;
    this.wire = wire;
    this.tokens = tokens;
  }

  @Override
  public void init(ProcessorContext<String, OutboundRecord> context) {
    this.context = context;
    KeyValueStore<String, String> store = context.getStateStore(STORE);
    KeyValueStore<String, String> index = context.getStateStore(EXPIRY_STORE);
    this.entries = EntryStore.of(store);
    this.expiry = EntryStore.of(index);
    context.schedule(EXPIRY_SWEEP, PunctuationType.WALL_CLOCK_TIME, this::sweep);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.value() != null && record.value().length > MAX_RECORD_BYTES) {
      deadLetter(
          record,
          "a correlation record of "
              + record.value().length
              + " bytes is larger than the limit of "
              + MAX_RECORD_BYTES
              + " bytes");
      return;
    }
    CorrelationRecord r;
    try {
      r = CorrelationRecord.decode(record.value());
    } catch (IOException | RuntimeException e) {
      deadLetter(record, "unreadable correlation record: " + e.getMessage());
      return;
    }
    String key = CorrelationRecord.key(r.topic(), r.key());
    if (key.indexOf(Correlations.SEP) >= 0) {
      deadLetter(record, "a correlation key may not hold the character U+0000");
      return;
    }
    Correlations c = new Correlations(entries, expiry, key);
    c.migrate();
    Correlations.Outcome outcome = c.apply(r, context.currentSystemTimeMs());
    for (Correlations.Delivery d : outcome.deliveries()) {
      deliver(d, record.timestamp());
    }
    if (outcome.refused() != null) {
      deadLetter(record, outcome.refused());
    }
    if (!outcome.deliveries().isEmpty()) {
      // A delivery waits for its transaction: ask for the commit now, not at the commit interval.
      context.commit();
    }
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
    CommandSignatures.signed(command, tokens);
    forward(
        new OutboundRecord(
            topics.commands(), w.runId(), wire.encode(topics.commands(), command), Map.of()),
        timestamp);
  }

  /** Drops what expired by now, entry by entry, from the expiry index. */
  private void sweep(long now) {
    List<Map.Entry<String, String>> due =
        expiry.range(Correlations.expiryKey(0, ""), Correlations.expiryKey(now, "\uffff"));
    for (Map.Entry<String, String> e : due) {
      Correlations.expire(entries, expiry, e.getKey(), now);
    }
    if (!due.isEmpty()) {
      LOG.debug("correlations: {} entries swept", due.size());
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
