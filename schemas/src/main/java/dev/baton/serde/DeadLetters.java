package dev.baton.serde;

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
   * The dead letter of a record a plain consumer read: its key, value (cut to {@link #KEPT_BYTES}
   * past {@link #MAX_VALUE_BYTES}) and headers, with why and where from.
   */
  public static org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> of(
      String dlqTopic,
      String key,
      byte[] value,
      org.apache.kafka.common.header.Headers original,
      String topic,
      int partition,
      long offset,
      String reason,
      String stage) {
    byte[] kept =
        value != null && value.length > MAX_VALUE_BYTES
            ? java.util.Arrays.copyOf(value, KEPT_BYTES)
            : value;
    var dlq =
        new org.apache.kafka.clients.producer.ProducerRecord<String, byte[]>(dlqTopic, key, kept);
    original.forEach(h -> dlq.headers().add(h));
    java.nio.charset.Charset utf8 = java.nio.charset.StandardCharsets.UTF_8;
    if (kept != value) {
      dlq.headers().add(ORIGINAL_SIZE, Integer.toString(value.length).getBytes(utf8));
    }
    dlq.headers().add(REASON, reason.getBytes(utf8));
    dlq.headers().add(SOURCE_TOPIC, topic.getBytes(utf8));
    dlq.headers().add(SOURCE_PARTITION, Integer.toString(partition).getBytes(utf8));
    dlq.headers().add(SOURCE_OFFSET, Long.toString(offset).getBytes(utf8));
    dlq.headers().add(STAGE, stage.getBytes(utf8));
    return dlq;
  }
}
