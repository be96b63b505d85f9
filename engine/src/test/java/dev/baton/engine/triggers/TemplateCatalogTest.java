package dev.baton.engine.triggers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.baton.template.ParsedTemplates;
import dev.baton.template.StoredTemplate;
import dev.baton.template.Templates;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The catalog's reads for the API: one version, every version, and records that are not ours. */
class TemplateCatalogTest {
  static String stored(int version, String by) throws Exception {
    String yaml =
        "name: pair\nversion: " + version + "\njobs:\n  - {name: a, command: [\"true\"]}\n";
    return StoredTemplate.of(
            Templates.parse("pair.yaml", yaml), yaml, by, Instant.parse("2026-12-07T10:00:00Z"))
        .toJson();
  }

  @Test
  void versionsComeNewestFirstWithWhoAppliedThemAndGarbageIsSkipped() throws Exception {
    Map<String, String> store = new LinkedHashMap<>();
    store.put("pair@1", stored(1, "cli:ada"));
    store.put("pair@3", stored(3, "api:ops"));
    store.put("pair@2", stored(2, "client:svc"));
    store.put("pair", stored(3, "api:ops"));
    store.put("pair@9", "not json at all"); // written to the topic by hand
    store.put("pairing@1", stored(1, "cli:ada")); // another template whose name starts alike
    TemplateCatalog catalog = new TemplateCatalog(() -> store, new ParsedTemplates(why -> {}));

    List<StoredTemplate> versions = catalog.versions("pair");
    assertEquals(List.of(3, 2, 1), versions.stream().map(StoredTemplate::version).toList());
    assertEquals(
        List.of("api:ops", "client:svc", "cli:ada"),
        versions.stream().map(StoredTemplate::appliedBy).toList());
    assertEquals("2026-12-07T10:00:00Z", versions.get(0).appliedAt());
    assertEquals(2, catalog.parsed("pair@2").version());
    assertNull(catalog.stored("pair@9"), "a record that is not a stored template is none");
    assertNull(catalog.parsed("pair@9"));
    assertNull(catalog.stored("pair@7"));
    // a record from before appliedBy existed reads with nulls
    store.put("pair@4", "{\"name\":\"pair\",\"version\":4,\"source\":\"x\"}");
    assertNull(catalog.stored("pair@4").appliedBy());
  }
}
