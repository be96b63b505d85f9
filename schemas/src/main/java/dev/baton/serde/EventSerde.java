package dev.baton.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka serde over {@link EventCodec}. */
public final class EventSerde<T extends SpecificRecord> implements Serde<T> {
  private final EventCodec<T> codec;

  public EventSerde(Class<T> type) {
    this.codec = EventCodec.of(type);
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : codec.encode(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> bytes == null ? null : codec.decode(bytes);
  }
}
