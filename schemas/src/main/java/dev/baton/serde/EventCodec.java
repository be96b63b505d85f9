package dev.baton.serde;

import org.apache.avro.specific.SpecificRecord;

/**
 * Reads one event type from any topic: JSON, or Confluent-framed Avro when the wire has a registry
 * ({@link Wire#decode}). {@link #encode} writes the plain JSON form, for storage and for topics
 * that are JSON whatever the setting; producers of public topics use {@link Wire#encode}.
 */
public final class EventCodec<T extends SpecificRecord> {
  private final Class<T> type;
  private final Wire wire;

  private EventCodec(Class<T> type, Wire wire) {
    this.type = type;
    this.wire = wire;
  }

  public static <T extends SpecificRecord> EventCodec<T> of(Class<T> type) {
    return new EventCodec<>(type, Wire.json());
  }

  public static <T extends SpecificRecord> EventCodec<T> of(Class<T> type, Wire wire) {
    return new EventCodec<>(type, wire);
  }

  public Class<T> type() {
    return type;
  }

  public T decode(byte[] bytes) {
    return wire.decode(bytes, type);
  }

  public byte[] encode(T event) {
    return PlainJson.write(event);
  }
}
