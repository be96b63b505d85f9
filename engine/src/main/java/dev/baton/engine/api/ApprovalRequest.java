package dev.baton.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The body of an approval or rejection: {@code {"inputs": {"comment": "ok"}, "reason": "...", "by":
 * "ann"}}, every field optional.
 */
record ApprovalRequest(Map<String, String> inputs, String reason, String by) {
  private static final Set<String> FIELDS = Set.of("inputs", "reason", "by");

  static ApprovalRequest of(JsonNode body) {
    if (!body.isObject()) {
      throw new ApiException(400, "the body must be a JSON object with inputs, reason, by");
    }
    body.fieldNames()
        .forEachRemaining(
            f -> {
              if (!FIELDS.contains(f)) {
                throw new ApiException(
                    400, "unknown field '" + f + "' (expected inputs, reason, by)");
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
    return new ApprovalRequest(inputs, text(body, "reason"), text(body, "by"));
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
