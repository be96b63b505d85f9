package dev.baton.engine.topology;

import dev.baton.engine.state.OutboundRecord;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes an outbound record's value bytes; its topic and headers travel with the Streams record.
 */
final class OutboundSerde implements Serde<OutboundRecord> {
  @Override
  public Serializer<OutboundRecord> serializer() {
    return (topic, record) -> record == null ? null : record.value();
  }

  @Override
  public Deserializer<OutboundRecord> deserializer() {
    return (topic, bytes) ->
        bytes == null ? null : new OutboundRecord(topic, null, bytes, Map.of());
  }
}
