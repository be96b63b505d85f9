package dev.baton.engine.triggers;

import dev.baton.template.ParsedTemplates;
import dev.baton.template.StoredTemplate;
import dev.baton.template.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The latest version of every template, from whatever holds the store's records; each version is
 * parsed once ({@link ParsedTemplates}, shared with the topology), and an invalid one is logged
 * there, not dropped silently.
 */
public final class TemplateCatalog {
  private final Supplier<Map<String, String>> store;
  private final ParsedTemplates parsed;

  /** {@code store}: key → stored template JSON, for every key of the template topic. */
  public TemplateCatalog(Supplier<Map<String, String>> store, ParsedTemplates parsed) {
    this.store = store;
    this.parsed = parsed;
  }

  /**
   * The text {@code key} ({@code name} or {@code name@version}) was applied with, comments and all,
   * or null.
   */
  public String source(String key) {
    String json = store.get().get(key);
    return json == null ? null : StoredTemplate.fromJson(json).source();
  }

  public List<Template> latest() {
    return parsedWhere(false);
  }

  /** Every stored version of every template (runs stay on the version they started with). */
  public List<Template> allVersions() {
    return parsedWhere(true);
  }

  private List<Template> parsedWhere(boolean versioned) {
    List<Template> out = new ArrayList<>();
    store
        .get()
        .forEach(
            (key, json) -> {
              if (key.contains("@") == versioned) {
                Template t = parsed.of(json);
                if (t != null) {
                  out.add(t);
                }
              }
            });
    return out;
  }
}
