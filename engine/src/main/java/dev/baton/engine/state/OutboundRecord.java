package dev.baton.engine.state;

import java.util.Map;

/** A record the engine produces, kept with the event that produced it so it can be re-emitted. */
public record OutboundRecord(String topic, String key, byte[] value, Map<String, byte[]> headers) {
  public OutboundRecord {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }
}
