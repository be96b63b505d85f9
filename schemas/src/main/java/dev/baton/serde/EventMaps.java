package dev.baton.serde;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * Any event as plain Java values (maps, lists, strings, longs, doubles, booleans), whatever it was
 * written as, for expressions over other services' domain events: a JSON object, or a Confluent-
 * framed Avro record read with its writer's schema.
 */
public final class EventMaps {
  private EventMaps() {}

  public static Map<String, Object> fromJson(JsonNode node) {
    Object value = json(node);
    if (!(value instanceof Map<?, ?>)) {
      throw new EventFormatException("expected a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) value;
    return map;
  }

  /** Any JSON value as plain Java values: maps, lists, strings, longs, doubles, booleans, null. */
  public static Object fromJsonValue(JsonNode node) {
    return json(node);
  }

  private static Object json(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.properties().forEach(e -> map.put(e.getKey(), json(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(n -> list.add(json(n)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.longValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    return node.asText();
  }

  public static Object fromAvro(Object value) {
    if (value instanceof GenericRecord r) {
      Map<String, Object> map = new LinkedHashMap<>();
      r.getSchema().getFields().forEach(f -> map.put(f.name(), fromAvro(r.get(f.pos()))));
      return map;
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> map = new LinkedHashMap<>();
      m.forEach((k, v) -> map.put(k.toString(), fromAvro(v)));
      return map;
    }
    if (value instanceof List<?> l) {
      List<Object> list = new ArrayList<>();
      l.forEach(v -> list.add(fromAvro(v)));
      return list;
    }
    if (value instanceof Utf8
        || value instanceof CharSequence
        || value instanceof GenericEnumSymbol<?>) {
      return value.toString();
    }
    if (value instanceof Integer i) {
      return i.longValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    return value;
  }
}
