package dev.baton.serde;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Header names on dead-letter records: why, and where the original record came from. */
public final class DeadLetters {
  public static final String REASON = "baton.dlq.reason";
  public static final String SOURCE_TOPIC = "baton.dlq.source.topic";
  public static final String SOURCE_PARTITION = "baton.dlq.source.partition";
  public static final String SOURCE_OFFSET = "baton.dlq.source.offset";

  /** The key a trigger arrived with, kept while it is re-keyed by run id. */
  public static final String SOURCE_KEY = "baton.dlq.source.key";

  public static final String STAGE = "baton.dlq.stage";

  /**
   * On a record larger than {@link #MAX_VALUE_BYTES}: its size; the value kept is its first {@link
   * #KEPT_BYTES}.
   */
  public static final String ORIGINAL_SIZE = "baton.dlq.original-size";

  /** Events larger than this are refused (a Kafka default message size is 1 MiB). */
  public static final int MAX_VALUE_BYTES = 1024 * 1024;

  public static final int KEPT_BYTES = 64 * 1024;

  private DeadLetters() {}

  /**
   * The dead letter of a record a plain consumer read, under {@code key}: its value (cut to {@link
   * #KEPT_BYTES} past half of {@link #MAX_VALUE_BYTES}, so that with its headers it still fits a
   * record) and headers, with why and where from.
   */
  public static ProducerRecord<String, byte[]> of(
      String dlqTopic, String key, ConsumerRecord<?, byte[]> record, String reason, String stage) {
    byte[] value = record.value();
    byte[] kept =
        value != null && value.length > MAX_VALUE_BYTES / 2
            ? Arrays.copyOf(value, KEPT_BYTES)
            : value;
    var dlq = new ProducerRecord<String, byte[]>(dlqTopic, key, kept);
    record.headers().forEach(h -> dlq.headers().add(h));
    if (kept != value) {
      dlq.headers().add(ORIGINAL_SIZE, utf8(Integer.toString(value.length)));
    }
    dlq.headers().add(REASON, utf8(reason));
    dlq.headers().add(SOURCE_TOPIC, utf8(record.topic()));
    dlq.headers().add(SOURCE_PARTITION, utf8(Integer.toString(record.partition())));
    dlq.headers().add(SOURCE_OFFSET, utf8(Long.toString(record.offset())));
    dlq.headers().add(STAGE, utf8(stage));
    return dlq;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
