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
  /** On a record larger than {@link #MAX_VALUE_BYTES}: its size; the value kept is its first {@link #KEPT_BYTES}. */
  public static final String ORIGINAL_SIZE = "baton.dlq.original-size";
  /** Events larger than this are refused (a Kafka default message size is 1 MiB). */
  public static final int MAX_VALUE_BYTES = 1024 * 1024;
  public static final int KEPT_BYTES = 64 * 1024;

  private DeadLetters() {}
}
