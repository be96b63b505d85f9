package dev.baton.dispatcher.http;

import dev.baton.expressions.Expressions;
import dev.baton.serde.EventFormatException;
import dev.baton.serde.EventMaps;
import dev.baton.serde.PlainJson;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An http step's outputs: each its CEL expression over {@code response} — {@code status} (a
 * number), {@code headers} (names in lower case, the first value of each), {@code json} (the body
 * parsed, when it is JSON; null otherwise) and {@code text} (the body).
 */
final class ResponseOutputs {
  private ResponseOutputs() {}

  /** An output that cannot be evaluated, named. */
  static final class OutputException extends Exception {
    OutputException(String message) {
      super(message);
    }
  }

  static Map<String, String> of(
      Map<String, String> expressions, int status, Map<String, List<String>> headers, String text)
      throws OutputException {
    Map<String, Object> response = new LinkedHashMap<>();
    response.put("status", (long) status);
    Map<String, String> lower = new LinkedHashMap<>();
    headers.forEach(
        (k, v) -> {
          if (k != null && !v.isEmpty()) {
            lower.putIfAbsent(k.toLowerCase(Locale.ROOT), v.get(0));
          }
        });
    response.put("headers", lower);
    response.put("json", json(text));
    response.put("text", text);
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : expressions.entrySet()) {
      try {
        out.put(e.getKey(), Expressions.text(Expressions.evalResponse(e.getValue(), response)));
      } catch (Expressions.InvalidExpressionException ex) {
        throw new OutputException("output '" + e.getKey() + "': " + ex.getMessage());
      }
    }
    return out;
  }

  private static Object json(String text) {
    String t = text.strip();
    if (t.isEmpty() || !(t.startsWith("{") || t.startsWith("["))) {
      return null;
    }
    try {
      // Numbers as CEL knows them (whole ones as int, others as double).
      return EventMaps.fromJsonValue(PlainJson.parse(t.getBytes(StandardCharsets.UTF_8)));
    } catch (EventFormatException e) {
      return null;
    }
  }
}
