package dev.baton.engine.apply;

import org.apache.kafka.common.header.Headers;

/**
 * An input record of the run processor with where it came from: the coordinates are kept with the
 * event it applies (design §7) and with a dead letter, and are only known while Kafka Streams hands
 * the record over, so they travel with it into the batch.
 */
public record InputRecord(
    String key,
    Inbound value,
    long timestamp,
    Headers headers,
    String topic,
    int partition,
    long offset) {
  public Inbound.Kind kind() {
    return value.kind();
  }
}
