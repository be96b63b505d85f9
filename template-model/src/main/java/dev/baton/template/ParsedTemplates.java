package dev.baton.template;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Templates from the records of the template store, each version parsed once: a version never
 * changes once applied. A version that does not parse (written by something other than {@code
 * apply}) is reported once to {@code invalid} and stays absent. One per engine, shared by the
 * topology's lookups and the trigger rules' catalog.
 */
public final class ParsedTemplates {
  private final Map<String, Optional<Template>> parsed = new ConcurrentHashMap<>();
  private final Consumer<String> invalid;

  /** {@code invalid} is told "name@version: reason" for each version that does not parse. */
  public ParsedTemplates(Consumer<String> invalid) {
    this.invalid = invalid;
  }

  /** The template a store record holds, or null when it is invalid. */
  public Template of(String storedJson) {
    StoredTemplate stored = StoredTemplate.fromJson(storedJson);
    return parsed
        .computeIfAbsent(
            Template.storeKey(stored.name(), stored.version()),
            key -> {
              try {
                return Optional.of(stored.parse());
              } catch (InvalidTemplateException e) {
                invalid.accept(key + ": " + e.getMessage());
                return Optional.empty();
              }
            })
        .orElse(null);
  }

  /** The template of version {@code key} (name@version) if it was read before. */
  public Template cached(String key) {
    Optional<Template> t = parsed.get(key);
    return t == null ? null : t.orElse(null);
  }
}
