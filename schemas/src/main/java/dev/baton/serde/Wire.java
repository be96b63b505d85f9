package dev.baton.serde;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.serde.registry.ConfluentSchemaRegistry;
import dev.baton.serde.registry.RegistryException;
import dev.baton.serde.registry.SchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * How Baton's events look on a topic (design §9). Writers use the configured encoding: plain JSON,
 * or Avro in the Confluent wire format (byte 0x00, 4-byte big-endian schema id, Avro binary) with
 * the schema registered under {@code <topic>-value}. Readers accept both, whatever the setting,
 * telling them apart by the first byte; an Avro record is read with its writer's schema (fetched by
 * id) resolved against Baton's own, so older and newer writers are read correctly.
 */
public final class Wire {
  public enum Encoding {
    JSON,
    AVRO
  }

  private static final byte MAGIC = 0x00;

  static {
    TrustedEvents.ensure();
  }

  private final Encoding encoding;
  private final SchemaRegistry registry;

  private Wire(Encoding encoding, SchemaRegistry registry) {
    this.encoding = encoding;
    this.registry = registry;
  }

  public static Wire json() {
    return new Wire(Encoding.JSON, null);
  }

  public static Wire avro(SchemaRegistry registry) {
    return new Wire(Encoding.AVRO, registry);
  }

  /**
   * From settings: {@code encoding} json or avro; {@code registryUrl} required for avro and, when
   * given with json, used to read Avro records.
   */
  public static Wire of(String encoding, String registryUrl, String registryUserInfo) {
    SchemaRegistry registry =
        registryUrl == null || registryUrl.isBlank()
            ? null
            : new ConfluentSchemaRegistry(registryUrl, registryUserInfo, Duration.ofSeconds(10));
    String e = encoding == null ? "json" : encoding.trim().toLowerCase(Locale.ROOT);
    return switch (e) {
      case "json" -> new Wire(Encoding.JSON, registry);
      case "avro" -> {
        if (registry == null) {
          throw new IllegalArgumentException(
              "BATON_ENCODING=avro needs BATON_REGISTRY_URL (a Confluent-API schema registry)");
        }
        yield new Wire(Encoding.AVRO, registry);
      }
      default ->
          throw new IllegalArgumentException(
              "BATON_ENCODING must be json or avro, got '" + encoding + "'");
    };
  }

  public Encoding encoding() {
    return encoding;
  }

  public byte[] encode(String topic, SpecificRecord record) {
    if (encoding == Encoding.JSON) {
      return PlainJson.write(record);
    }
    Schema schema = record.getSchema();
    int id = registry.register(topic + "-value", schema);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(MAGIC);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      new SpecificDatumWriter<SpecificRecord>(schema).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + schema.getName() + " as Avro", e);
    }
    return out.toByteArray();
  }

  /** Reads one event; {@link EventFormatException} (dead letter) for bytes that are not one. */
  public <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
    if (bytes == null || bytes.length == 0) {
      throw new EventFormatException("empty record value");
    }
    if (bytes[0] == MAGIC) {
      return decodeAvro(bytes, type);
    }
    int first = firstNonSpace(bytes);
    if (first != '{') {
      JsonNode other;
      try {
        other = PlainJson.parse(bytes);
      } catch (EventFormatException notJson) {
        throw new EventFormatException(
            "neither JSON nor Confluent-framed Avro: a "
                + type.getSimpleName()
                + " must be a JSON object or start with the Avro magic byte 0x00 ("
                + notJson.getMessage()
                + ")");
      }
      throw new EventFormatException(
          "a " + type.getSimpleName() + " must be a JSON object, not " + PlainJson.kind(other));
    }
    return PlainJson.read(bytes, type);
  }

  /**
   * Any event, not one of Baton's: a JSON object, or Avro read with its writer's schema; as plain
   * maps.
   */
  public Map<String, Object> decodeMap(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new EventFormatException("empty record value");
    }
    if (bytes[0] == MAGIC) {
      Schema writer = writerSchema(bytes);
      try {
        Object record =
            new GenericDatumReader<Object>(writer)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        Object map = EventMaps.fromAvro(record);
        if (!(map instanceof Map<?, ?>)) {
          throw new EventFormatException("an Avro event must be a record");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) map;
        return result;
      } catch (IOException | RuntimeException e) {
        if (e instanceof EventFormatException f) {
          throw f;
        }
        throw new EventFormatException("unreadable Avro event: " + e.getMessage());
      }
    }
    JsonNode node;
    try {
      node = PlainJson.parse(bytes);
    } catch (EventFormatException e) {
      throw new EventFormatException("neither JSON nor Confluent-framed Avro: " + e.getMessage());
    }
    if (!node.isObject()) {
      throw new EventFormatException("an event must be a JSON object, not " + PlainJson.kind(node));
    }
    return EventMaps.fromJson(node);
  }

  private Schema writerSchema(byte[] bytes) {
    if (registry == null) {
      throw new EventFormatException(
          "Confluent-framed Avro, but no schema registry is configured (BATON_REGISTRY_URL)");
    }
    if (bytes.length < 5) {
      throw new EventFormatException("Confluent-framed Avro shorter than its 5-byte header");
    }
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    try {
      return registry.byId(id);
    } catch (RegistryException e) {
      if (e.status() == 404) {
        throw new EventFormatException(
            "schema id " + id + " is not in the registry at " + registry.url());
      }
      throw e;
    }
  }

  private <T extends SpecificRecord> T decodeAvro(byte[] bytes, Class<T> type) {
    Schema writer = writerSchema(bytes);
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    SpecificData data = SpecificData.getForClass(type);
    Schema reader = data.getSchema(type);
    try {
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
      return new SpecificDatumReader<T>(writer, reader, data).read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new EventFormatException(
          "unreadable Avro "
              + type.getSimpleName()
              + " (writer schema id "
              + id
              + "): "
              + e.getMessage());
    }
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
