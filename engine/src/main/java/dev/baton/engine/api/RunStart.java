package dev.baton.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.engine.decide.Children;
import dev.baton.engine.decide.TriggerChecks;
import dev.baton.template.Template;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code POST /api/runs}: a run's start, read from its JSON body and checked as the engine would
 * check its trigger.
 */
record RunStart(Template template, Map<String, String> params, String runId) {
  /** The fields of a run's start, and what a run id may be (it names keys, attempts and pods). */
  static final List<String> FIELDS = List.of("template", "params", "runId");

  static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");

  /**
   * The start the body asks for; {@code templates} finds a template by name (404 when there is
   * none).
   */
  static RunStart of(JsonNode body, Function<String, Template> templates) {
    body.fieldNames()
        .forEachRemaining(
            field -> {
              if (!FIELDS.contains(field)) {
                throw new ApiException(
                    400,
                    "unknown field '"
                        + field
                        + "'; a run's start has "
                        + String.join(", ", FIELDS));
              }
            });
    if (!body.path("template").isTextual() || body.get("template").asText().isBlank()) {
      throw new ApiException(400, "field 'template' must name a template");
    }
    Template t = templates.apply(body.get("template").asText());
    JsonNode values = body.path("params");
    if (!values.isMissingNode() && !values.isObject()) {
      throw new ApiException(400, "field 'params' must be an object of parameter values");
    }
    Map<String, String> params = new LinkedHashMap<>();
    values
        .properties()
        .forEach(
            e -> {
              if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new ApiException(
                    400, "parameter '" + e.getKey() + "' must be a string, number or boolean");
              }
              params.put(e.getKey(), e.getValue().asText());
            });
    String refused = TriggerChecks.paramsRefused(params, t, new LinkedHashMap<>());
    if (refused != null) {
      throw new ApiException(400, refused);
    }
    String runId =
        body.has("runId")
            ? body.get("runId").asText()
            : "run-" + UUID.randomUUID().toString().substring(0, 13);
    if (body.has("runId") && (!body.get("runId").isTextual() || !RUN_ID.matcher(runId).matches())) {
      throw new ApiException(
          400,
          "field 'runId' must be 1 to 200 letters, digits and . _ : - (starting with a letter or digit), got "
              + (body.get("runId").isTextual()
                  ? "'" + (runId.length() > 100 ? runId.substring(0, 100) + "..." : runId) + "'"
                  : body.get("runId").getNodeType()));
    }
    String reserved = Children.reservedIdRefused(runId);
    if (reserved != null) {
      throw new ApiException(400, reserved);
    }
    return new RunStart(t, params, runId);
  }
}
