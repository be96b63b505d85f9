package dev.baton.engine.topology;

import dev.baton.events.WorkflowTrigger;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.EventFormatException;
import dev.baton.serde.Wire;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Re-keys a trigger by its run id, before the repartition that sends every event of a run to
 * one task. The run id is the trigger's {@code runId}; else derived from its
 * {@code idempotencyKey}; else from the record's own coordinates. Never random: the same record
 * gets the same id when it is processed again. The original bytes pass through untouched (an
 * unreadable record is keyed by its coordinates and dead-lettered by the run processor), and
 * headers record where the trigger came from.
 */
final class TriggerKeyProcessor implements Processor<byte[], byte[], String, byte[]> {
  private final Wire wire;
  private ProcessorContext<String, byte[]> context;

  TriggerKeyProcessor(Wire wire) {
    this.wire = wire;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    Record<String, byte[]> out;
    if (record.value() != null && record.value().length > DeadLetters.MAX_VALUE_BYTES) {
      // Too large to pass on (or to dead-letter whole): keep its head, and say how large it was.
      out = record.withKey("run-" + meta.partition() + "-" + meta.offset() + "-" + Long.toString(record.timestamp(), 36))
          .withValue(java.util.Arrays.copyOf(record.value(), DeadLetters.KEPT_BYTES));
      out.headers().add(DeadLetters.ORIGINAL_SIZE, Integer.toString(record.value().length).getBytes(StandardCharsets.UTF_8));
    } else {
      String runId = runId(readQuietly(record.value()), meta.partition(), meta.offset(), record.timestamp());
      out = record.withKey(runId);
    }
    out.headers().remove(DeadLetters.SOURCE_TOPIC).remove(DeadLetters.SOURCE_PARTITION).remove(DeadLetters.SOURCE_OFFSET)
        .remove(DeadLetters.SOURCE_KEY);
    if (record.key() != null) {
      out.headers().add(DeadLetters.SOURCE_KEY, record.key());
    }
    out.headers().add(DeadLetters.SOURCE_TOPIC, meta.topic().getBytes(StandardCharsets.UTF_8));
    out.headers().add(DeadLetters.SOURCE_PARTITION, Integer.toString(meta.partition()).getBytes(StandardCharsets.UTF_8));
    out.headers().add(DeadLetters.SOURCE_OFFSET, Long.toString(meta.offset()).getBytes(StandardCharsets.UTF_8));
    context.forward(out);
  }

  static String runId(WorkflowTrigger trigger, int partition, long offset, long timestamp) {
    if (trigger != null && trigger.getRunId() != null && !trigger.getRunId().isBlank()) {
      return trigger.getRunId();
    }
    if (trigger != null && trigger.getIdempotencyKey() != null && !trigger.getIdempotencyKey().isBlank()) {
      return "idem-" + sha256(trigger.getIdempotencyKey()).substring(0, 24);
    }
    return "run-" + partition + "-" + offset + "-" + Long.toString(timestamp, 36);
  }

  /** The trigger, or null when it cannot be read (the run processor dead-letters it with the reason). */
  private WorkflowTrigger readQuietly(byte[] value) {
    try {
      return wire.decode(value, WorkflowTrigger.class);
    } catch (EventFormatException e) {
      return null;
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
