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
  private final TemplatesCurrent current;

  public TemplateLookup(Function<String, String> store, ParsedTemplates parsed) {
    this(store, parsed, TemplatesCurrent.AS_IS);
  }

  /** {@code current} brings the store up to date before a trigger's template is looked up. */
  public TemplateLookup(
      Function<String, String> store, ParsedTemplates parsed, TemplatesCurrent current) {
    this.store = store;
    this.parsed = parsed;
    this.current = current;
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

  /**
   * The template a trigger sent at {@code sentAtMillis} starts: version {@code version} of {@code
   * name}, or its latest when {@code version} is null; null when the store has none. A template
   * applied before the trigger was sent is found, even when the store has not read it yet.
   */
  public Template forTrigger(String name, Integer version, long sentAtMillis) {
    if (version != null) {
      Template pinned = version(name, version);
      if (pinned != null) {
        return pinned; // a version never changes once applied
      }
      current.asOf(sentAtMillis);
      return version(name, version);
    }
    current.asOf(sentAtMillis);
    return latest(name);
  }

  private Template resolve(String key) {
    String json = store.apply(key);
    return json == null ? null : parsed.of(json);
  }
}
