package dev.baton.engine.apply;

import dev.baton.template.ParsedTemplates;
import dev.baton.template.Template;
import java.util.function.Function;

/**
 * Finds templates in the store (the global table of the template topic), parsed once per version.
 */
public final class TemplateLookup {
  private final Function<String, String> store;
  private final ParsedTemplates parsed;

  public TemplateLookup(Function<String, String> store, ParsedTemplates parsed) {
    this.store = store;
    this.parsed = parsed;
  }

  /** The latest version of {@code name}, or null. */
  public Template latest(String name) {
    return resolve(name);
  }

  /** Version {@code version} of {@code name}, or null. */
  public Template version(String name, int version) {
    String key = Template.storeKey(name, version);
    Template cached = parsed.cached(key);
    return cached != null ? cached : resolve(key);
  }

  private Template resolve(String key) {
    String json = store.apply(key);
    return json == null ? null : parsed.of(json);
  }
}
