package dev.baton.serde;

import org.apache.avro.specific.SpecificRecord;

/**
 * Reads and writes one event type on a topic. Readers detect the encoding from the first byte
 * ({@code {} → JSON); writers use JSON, the default encoding of every topic for now.
 */
public final class EventCodec<T extends SpecificRecord> {
  private final Class<T> type;

  private EventCodec(Class<T> type) {
    this.type = type;
  }

  public static <T extends SpecificRecord> EventCodec<T> of(Class<T> type) {
    return new EventCodec<>(type);
  }

  public Class<T> type() {
    return type;
  }

  public T decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new EventFormatException("empty record value");
    }
    int first = firstNonSpace(bytes);
    if (first == 0x00 && bytes[0] == 0x00) {
      throw new EventFormatException("Avro (Confluent wire format) is not enabled on this topic");
    }
    if (first != '{') {
      throw new EventFormatException("not valid JSON: a " + type.getSimpleName() + " must be a JSON object");
    }
    return PlainJson.read(bytes, type);
  }

  public byte[] encode(T event) {
    return PlainJson.write(event);
  }

  private static int firstNonSpace(byte[] bytes) {
    for (byte b : bytes) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return b;
      }
    }
    return -1;
  }
}
