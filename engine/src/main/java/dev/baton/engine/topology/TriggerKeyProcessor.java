package dev.baton.engine.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.serde.DeadLetters;
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
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private ProcessorContext<String, byte[]> context;

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    String runId = runId(record.value(), meta.partition(), meta.offset(), record.timestamp());
    Record<String, byte[]> out = record.withKey(runId);
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

  static String runId(byte[] value, int partition, long offset, long timestamp) {
    JsonNode node = readQuietly(value);
    if (node != null && node.hasNonNull("runId") && !node.get("runId").asText().isBlank()) {
      return node.get("runId").asText();
    }
    if (node != null && node.hasNonNull("idempotencyKey") && !node.get("idempotencyKey").asText().isBlank()) {
      return "idem-" + sha256(node.get("idempotencyKey").asText()).substring(0, 24);
    }
    return "run-" + partition + "-" + offset + "-" + Long.toString(timestamp, 36);
  }

  private static JsonNode readQuietly(byte[] value) {
    try {
      return value == null ? null : MAPPER.readTree(value);
    } catch (Exception e) {
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
