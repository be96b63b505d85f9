package dev.baton.engine.triggers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import dev.baton.template.ParsedTemplates;
import dev.baton.template.StoredTemplate;
import dev.baton.template.Templates;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** What a domain event maps to, and what it may not: a trigger past the limits is a dead letter. */
class EventRoutesTest {
  static final String WHOLE =
      """
      name: whole
      version: 1
      params: {payload: {required: true}, id: {default: ""}}
      on:
        - topic: orders.placed
          params: {payload: "event", id: "event.id"}
      jobs:
        - {name: a, command: ["true"]}
      """;

  static EventRoutes routes(String yaml) throws Exception {
    var template = Templates.parse("t.yaml", yaml);
    String stored = StoredTemplate.of(template, yaml, "test", java.time.Instant.EPOCH).toJson();
    TemplateCatalog catalog =
        new TemplateCatalog(
            () -> Map.of(template.name(), stored, template.storeKey(), stored),
            new ParsedTemplates(why -> {}));
    return EventRoutes.of(catalog, Topics.defaults(), Wire.json());
  }

  static ConsumerRecord<byte[], byte[]> record(String json) {
    return new ConsumerRecord<>(
        "orders.placed", 0, 7L, null, json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anEventWhoseTriggerWouldBeTooLargeIsADeadLetterNotARecordKafkaRefuses() throws Exception {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("id", "o-1");
    for (int i = 0; i < 9_000; i++) {
      event.put("f" + i, "v".repeat(100)); // 950 KB of short strings
    }
    List<EventRoutes.Routed> out = routes(WHOLE).route(record("{}"), event);
    assertEquals(1, out.size());
    var dead = assertInstanceOf(EventRoutes.Routed.DeadLetter.class, out.get(0));
    assertTrue(dead.reason().contains("a trigger may carry at most"), dead.reason());
  }

  @Test
  void anOrdinaryEventStartsItsRun() throws Exception {
    List<EventRoutes.Routed> out =
        routes(WHOLE).route(record("{\"id\":\"o-2\"}"), Map.of("id", "o-2"));
    assertInstanceOf(EventRoutes.Routed.Trigger.class, out.get(0));
  }
}
