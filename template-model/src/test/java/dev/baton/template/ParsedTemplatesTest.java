package dev.baton.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParsedTemplatesTest {
  static final String YAML = "name: one\nversion: 1\njobs:\n  - {name: a, command: [\"true\"]}\n";

  @Test
  void eachVersionIsParsedOnceAndAnInvalidOneIsReportedOnce() throws Exception {
    List<String> invalid = new ArrayList<>();
    ParsedTemplates parsed = new ParsedTemplates(invalid::add);
    String json =
        StoredTemplate.of(Templates.parse("one.yaml", YAML), YAML, "test", java.time.Instant.EPOCH)
            .toJson();
    Template first = parsed.of(json);
    assertSame(first, parsed.of(json), "the same version is not parsed again");
    assertSame(first, parsed.cached("one@1"));

    String broken =
        YAML.replace("name: one", "name: two").replace("command: [\"true\"]", "command: []");
    String stored = new StoredTemplate("two", 1, broken, null, null).toJson();
    assertNull(parsed.of(stored));
    assertNull(parsed.of(stored));
    assertEquals(1, invalid.size(), invalid.toString());
    assertTrue(invalid.get(0).startsWith("two@1: "), invalid.get(0));
  }
}
