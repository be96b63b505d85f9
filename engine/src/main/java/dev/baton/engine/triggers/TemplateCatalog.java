package dev.baton.engine.triggers;

import dev.baton.template.ParsedTemplates;
import dev.baton.template.StoredTemplate;
import dev.baton.template.Template;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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

  /** What {@code key} ({@code name} or {@code name@version}) holds, or null. */
  public StoredTemplate stored(String key) {
    return read(store.get().get(key), StoredTemplate::fromJson);
  }

  /** The template {@code key} holds, parsed once and kept (null: none, or it does not parse). */
  public Template parsed(String key) {
    return read(store.get().get(key), parsed::of);
  }

  /** {@code json} read by {@code reader}; null when absent or not a stored template. */
  private static <T> T read(String json, Function<String, T> reader) {
    try {
      return json == null ? null : reader.apply(json);
    } catch (UncheckedIOException e) {
      return null; // not a stored template (written to the topic by hand)
    }
  }

  /** Every stored version of {@code name}, newest first. */
  public List<StoredTemplate> versions(String name) {
    String prefix = name + "@";
    List<StoredTemplate> out = new ArrayList<>();
    store
        .get()
        .forEach(
            (key, json) -> {
              StoredTemplate s =
                  key.startsWith(prefix) ? read(json, StoredTemplate::fromJson) : null;
              if (s != null) {
                out.add(s);
              }
            });
    out.sort(Comparator.comparingInt(StoredTemplate::version).reversed());
    return out;
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
