package dev.baton.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.template.StoredTemplate;
import dev.baton.template.Template;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checks and answers of the API's template endpoints, above an in-memory store. */
class TemplateApplyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The store: key → stored JSON, as the engine's global store would hold it. */
  private final Map<String, String> store = new LinkedHashMap<>();

  private final List<String> published = new ArrayList<>();

  private final TemplateApply api =
      new TemplateApply(
          () -> {
            List<Template> latest = new ArrayList<>();
            store.forEach(
                (key, json) -> {
                  if (!key.contains("@")) {
                    try {
                      latest.add(StoredTemplate.fromJson(json).parse());
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }
                });
            return latest;
          },
          () -> Set.of("orders.requests"),
          (key, value) -> {
            published.add(key);
            store.put(key, new String(value, StandardCharsets.UTF_8));
          });

  private static JsonNode body(String yaml) {
    return JSON.createObjectNode().put("yaml", yaml);
  }

  private static final String PAIR =
      """
      name: pair
      version: 1
      jobs:
        - {name: a, command: ["true"]}
        - {name: b, command: ["true"], dependsOn: [a]}
      """;

  @Test
  void aValidTemplateIsSummedUpAndNothingIsPublished() {
    TemplateApply.Answer a = api.validate(body(PAIR));
    assertEquals(200, a.status());
    assertEquals(Map.of("name", "pair", "version", 1, "jobs", 2), a.body());
    assertTrue(published.isEmpty());
  }

  @Test
  void errorsComeAtTheirLineAndFieldAsApplyPrintsThem() {
    TemplateApply.Answer a =
        api.validate(
            body(
                """
                name: typo
                version: 1
                jobs:
                  - {name: build, command: ["true"]}
                  - {name: test, command: ["true"], dependsOn: [biuld]}
                """));
    assertEquals(400, a.status());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> errors = (List<Map<String, Object>>) a.body().get("errors");
    assertEquals(1, errors.size(), errors.toString());
    assertEquals(5, errors.get(0).get("line"));
    assertEquals("jobs[1].dependsOn[0]", errors.get(0).get("field"));
    assertTrue(errors.get(0).get("message").toString().contains("biuld"), errors.toString());
  }

  @Test
  void theChecksBeyondTheTextAreApplys() {
    TemplateApply.Answer noTopic =
        api.validate(
            body(
                """
                name: asks
                version: 1
                jobs:
                  - name: ask
                    service: {topic: nowhere.requests, value: {q: "?"}}
                """));
    assertEquals(400, noTopic.status());
    assertTrue(noTopic.body().toString().contains("jobs[0].service.topic"), noTopic.toString());
    TemplateApply.Answer noChild =
        api.validate(
            body(
                """
                name: parent
                version: 1
                jobs:
                  - {name: child, run: {template: no-such-child}}
                """));
    assertEquals(400, noChild.status());
    assertTrue(noChild.body().toString().contains("no-such-child"), noChild.toString());
  }

  @Test
  void applyPublishesBothKeysAndRefusesAVersionThatIsNotNewer() throws Exception {
    TemplateApply.Answer first = api.apply(body(PAIR), "ops");
    assertEquals(201, first.status());
    assertEquals(List.of("pair@1", "pair"), published);
    StoredTemplate stored = StoredTemplate.fromJson(store.get("pair@1"));
    assertEquals("api:ops", stored.appliedBy(), "who applied it is kept with the version");
    assertTrue(
        java.time.Duration.between(
                    java.time.Instant.parse(stored.appliedAt()), java.time.Instant.now())
                .getSeconds()
            < 60,
        stored.appliedAt());
    ApiException again = assertThrows(ApiException.class, () -> api.apply(body(PAIR), "ops"));
    assertEquals(409, again.status);
    assertTrue(again.getMessage().contains("apply version 2"), again.getMessage());
    assertEquals(201, api.apply(body(PAIR.replace("version: 1", "version: 2")), "ops").status());
    assertEquals(List.of("pair@1", "pair", "pair@2", "pair"), published);
  }

  @Test
  void aBodyThatIsNotOneTemplatesTextIsRefused() {
    assertEquals(
        400,
        assertThrows(
                ApiException.class,
                () -> api.validate(JSON.createObjectNode().put("yaml", PAIR).put("name", "x")))
            .status);
    assertEquals(
        400,
        assertThrows(ApiException.class, () -> api.validate(JSON.createObjectNode().put("yaml", 3)))
            .status);
    String huge = PAIR + "#" + "x".repeat(TemplateApply.MAX_YAML_BYTES);
    assertEquals(413, assertThrows(ApiException.class, () -> api.validate(body(huge))).status);
    TemplateApply.Answer notYaml = api.validate(body("name: [unclosed"));
    assertEquals(400, notYaml.status());
  }
}
