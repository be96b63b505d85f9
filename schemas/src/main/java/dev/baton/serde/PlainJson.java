package dev.baton.serde;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JSON encoding of Baton's Avro records that a person can write by hand: plain objects, no
 * union tags. A nullable field is its value or {@code null}; a missing field takes the schema's
 * default; enums are their symbol; timestamps are ISO-8601 strings (epoch milliseconds accepted).
 */
public final class PlainJson {
  static {
    TrustedEvents.ensure();
  }

  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private PlainJson() {}

  /** One JSON value, nothing after it. */
  private static final ObjectReader ONE_VALUE =
      MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * Parses JSON text: valid UTF-8 (an overlong or otherwise malformed sequence is refused, not
   * decoded as some character), one value, nothing but white space after it.
   */
  public static JsonNode parse(byte[] json) {
    requireUtf8(json);
    try {
      JsonNode node = ONE_VALUE.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new EventFormatException("not valid JSON: no value");
      }
      return node;
    } catch (IOException e) {
      throw new EventFormatException("not valid JSON: " + firstLine(e.getMessage()));
    }
  }

  /** Refuses bytes that are not valid UTF-8 (overlong forms, lone surrogates, cut sequences). */
  public static void requireUtf8(byte[] bytes) {
    // A pass over the bytes, allocating nothing: every record on the hot path is checked.
    int i = 0;
    while (i < bytes.length) {
      int b = bytes[i] & 0xFF;
      if (b < 0x80) {
        i++;
        continue;
      }
      int more;
      int low = 0x80;
      int high = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        more = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        more = 2;
        low = b == 0xE0 ? 0xA0 : 0x80; // no overlong forms
        high = b == 0xED ? 0x9F : 0xBF; // no surrogates
      } else if (b >= 0xF0 && b <= 0xF4) {
        more = 3;
        low = b == 0xF0 ? 0x90 : 0x80;
        high = b == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
      } else {
        throw malformedAt(i);
      }
      if (i + more >= bytes.length) { // cut short
        throw malformedAt(i);
      }
      for (int k = 1; k <= more; k++) {
        int c = bytes[i + k] & 0xFF;
        if (k == 1 ? c < low || c > high : c < 0x80 || c > 0xBF) {
          throw malformedAt(i);
        }
      }
      i += more + 1;
    }
  }

  private static EventFormatException malformedAt(int index) {
    return new EventFormatException("not valid UTF-8: a malformed byte sequence at byte " + index);
  }

  /** What a JSON value is, for errors: "an array", "a string", ... */
  public static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  /** Reads one record of {@code type} from JSON text. */
  public static <T extends SpecificRecord> T read(byte[] json, Class<T> type) {
    JsonNode node = parse(json);
    if (!node.isObject()) {
      throw new EventFormatException(
          "a " + type.getSimpleName() + " must be a JSON object, not " + kind(node));
    }
    Schema schema = SpecificData.get().getSchema(type);
    return type.cast(readRecord(node, schema, ""));
  }

  /** Writes a record as plain JSON text. */
  public static byte[] write(IndexedRecord record) {
    try {
      return MAPPER.writeValueAsBytes(toNode(record, record.getSchema()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot write " + record.getSchema().getName(), e);
    }
  }

  /** The record as a JSON tree (for the CLI's own output). */
  public static JsonNode toTree(IndexedRecord record) {
    return toNode(record, record.getSchema());
  }

  private static Object readRecord(JsonNode node, Schema schema, String path) {
    if (!node.isObject()) {
      throw new EventFormatException(where(path) + "expected an object");
    }
    IndexedRecord record = (IndexedRecord) SpecificData.get().newRecord(null, schema);
    for (Schema.Field field : schema.getFields()) {
      String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
      JsonNode value = node.get(field.name());
      if (value == null) {
        if (!field.hasDefaultValue()) {
          throw new EventFormatException("missing required field '" + fieldPath + "'");
        }
        record.put(field.pos(), SpecificData.get().getDefaultValue(field));
      } else {
        record.put(field.pos(), readValue(value, field.schema(), fieldPath));
      }
    }
    return record;
  }

  private static Object readValue(JsonNode node, Schema schema, String path) {
    return switch (schema.getType()) {
      case UNION -> readUnion(node, schema, path);
      case NULL -> {
        if (!node.isNull()) {
          throw new EventFormatException(where(path) + "expected null");
        }
        yield null;
      }
      case STRING -> {
        if (!node.isValueNode() || node.isNull()) {
          throw new EventFormatException(where(path) + "expected a string");
        }
        yield node.asText();
      }
      case INT -> {
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
          throw new EventFormatException(where(path) + "expected an integer");
        }
        yield node.intValue();
      }
      case LONG -> readLong(node, schema.getLogicalType(), path);
      case BOOLEAN -> {
        if (!node.isBoolean()) {
          throw new EventFormatException(where(path) + "expected true or false");
        }
        yield node.booleanValue();
      }
      case DOUBLE -> {
        if (!node.isNumber()) {
          throw new EventFormatException(where(path) + "expected a number");
        }
        yield node.doubleValue();
      }
      case ENUM -> {
        String symbol = node.asText();
        if (!node.isTextual() || !schema.getEnumSymbols().contains(symbol)) {
          throw new EventFormatException(
              where(path) + "expected one of " + schema.getEnumSymbols() + ", got " + node);
        }
        yield SpecificData.get().createEnum(symbol, schema);
      }
      case MAP -> readMap(node, schema, path);
      case ARRAY -> {
        if (!node.isArray()) {
          throw new EventFormatException(where(path) + "expected an array");
        }
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
          items.add(readValue(node.get(i), schema.getElementType(), path + "[" + i + "]"));
        }
        yield items;
      }
      case RECORD -> readRecord(node, schema, path);
      default ->
          throw new EventFormatException(where(path) + "unsupported type " + schema.getType());
    };
  }

  private static Object readUnion(JsonNode node, Schema schema, String path) {
    if (node.isNull()
        && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL)) {
      return null;
    }
    EventFormatException last = null;
    for (Schema branch : schema.getTypes()) {
      if (branch.getType() == Schema.Type.NULL) {
        continue;
      }
      try {
        return readValue(node, branch, path);
      } catch (EventFormatException e) {
        last = e;
      }
    }
    throw last != null ? last : new EventFormatException(where(path) + "unexpected value");
  }

  private static Object readLong(JsonNode node, LogicalType logical, String path) {
    boolean timestamp = logical instanceof LogicalTypes.TimestampMillis;
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return timestamp ? Instant.ofEpochMilli(node.longValue()) : node.longValue();
    }
    if (timestamp && node.isTextual()) {
      try {
        return Instant.parse(node.asText());
      } catch (DateTimeParseException e) {
        throw new EventFormatException(where(path) + "expected an ISO-8601 instant, got " + node);
      }
    }
    throw new EventFormatException(
        where(path)
            + (timestamp ? "expected an ISO-8601 instant or epoch millis" : "expected an integer"));
  }

  private static Map<String, Object> readMap(JsonNode node, Schema schema, String path) {
    if (!node.isObject()) {
      throw new EventFormatException(where(path) + "expected an object");
    }
    Map<String, Object> map = new LinkedHashMap<>();
    node.properties()
        .forEach(
            e -> {
              JsonNode v = e.getValue();
              // Hand-written params are often numbers or booleans: keep their text.
              if (schema.getValueType().getType() == Schema.Type.STRING
                  && v.isValueNode()
                  && !v.isNull()) {
                map.put(e.getKey(), v.asText());
              } else {
                map.put(e.getKey(), readValue(v, schema.getValueType(), path + "." + e.getKey()));
              }
            });
    return map;
  }

  private static JsonNode toNode(Object value, Schema schema) {
    if (value == null) {
      return NODES.nullNode();
    }
    return switch (schema.getType()) {
      case UNION -> {
        for (Schema branch : schema.getTypes()) {
          if (branch.getType() != Schema.Type.NULL) {
            yield toNode(value, branch);
          }
        }
        yield NODES.nullNode();
      }
      case RECORD -> {
        IndexedRecord record = (IndexedRecord) value;
        ObjectNode object = NODES.objectNode();
        for (Schema.Field field : schema.getFields()) {
          object.set(field.name(), toNode(record.get(field.pos()), field.schema()));
        }
        yield object;
      }
      case MAP -> {
        ObjectNode map = NODES.objectNode();
        ((Map<?, ?>) value)
            .forEach((k, v) -> map.set(k.toString(), toNode(v, schema.getValueType())));
        yield map;
      }
      case ARRAY -> {
        ArrayNode array = NODES.arrayNode();
        ((Collection<?>) value).forEach(v -> array.add(toNode(v, schema.getElementType())));
        yield array;
      }
      case ENUM ->
          NODES.textNode(
              value instanceof GenericEnumSymbol<?> g ? g.toString() : ((Enum<?>) value).name());
      case LONG -> {
        if (value instanceof Instant instant) {
          yield NODES.textNode(instant.toString());
        }
        yield NODES.numberNode(((Number) value).longValue());
      }
      case INT -> NODES.numberNode(((Number) value).intValue());
      case BOOLEAN -> NODES.booleanNode((Boolean) value);
      case DOUBLE -> NODES.numberNode(((Number) value).doubleValue());
      default -> NODES.textNode(value.toString());
    };
  }

  private static String where(String path) {
    return path.isEmpty() ? "" : "field '" + path + "': ";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
