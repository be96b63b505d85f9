package dev.baton.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The body of an approval or rejection: {@code {"attempt": 1, "inputs": {"comment": "ok"},
 * "reason": "...", "by": "ann"}}, every field optional. {@code attempt} is the attempt the person
 * answers (the one the page showed): an answer to an attempt before a retry is refused.
 */
record ApprovalRequest(Integer attempt, Map<String, String> inputs, String reason, String by) {
  private static final Set<String> FIELDS = Set.of("attempt", "inputs", "reason", "by");

  static ApprovalRequest of(JsonNode body) {
    if (!body.isObject()) {
      throw new ApiException(
          400, "the body must be a JSON object with attempt, inputs, reason, by");
    }
    body.fieldNames()
        .forEachRemaining(
            f -> {
              if (!FIELDS.contains(f)) {
                throw new ApiException(
                    400, "unknown field '" + f + "' (expected attempt, inputs, reason, by)");
              }
            });
    Map<String, String> inputs = new LinkedHashMap<>();
    JsonNode given = body.path("inputs");
    if (!given.isMissingNode() && !given.isNull()) {
      if (!given.isObject()) {
        throw new ApiException(400, "inputs must be an object of strings");
      }
      for (var e : given.properties()) {
        if (!e.getValue().isTextual()) {
          throw new ApiException(400, "input '" + e.getKey() + "' must be a string");
        }
        inputs.put(e.getKey(), e.getValue().asText());
      }
    }
    JsonNode attempt = body.path("attempt");
    if (!attempt.isMissingNode() && !attempt.isNull() && !attempt.canConvertToExactIntegral()) {
      throw new ApiException(400, "attempt must be a whole number");
    }
    return new ApprovalRequest(
        attempt.isMissingNode() || attempt.isNull() ? null : attempt.intValue(),
        inputs,
        text(body, "reason"),
        text(body, "by"));
  }

  private static String text(JsonNode body, String field) {
    JsonNode n = body.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new ApiException(400, field + " must be a string");
    }
    return n.asText();
  }
}
