package dev.baton.engine.triggers;

import dev.baton.engine.template.InvalidTemplateException;
import dev.baton.engine.template.StoredTemplate;
import dev.baton.engine.template.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The latest version of every template, parsed (each version once), from whatever holds the store's
 * records.
 */
public final class TemplateCatalog {
  private final Supplier<Map<String, String>> store;
  private final Map<String, Template> parsed = new ConcurrentHashMap<>();

  /** {@code store}: key → stored template JSON, for every key of the template topic. */
  public TemplateCatalog(Supplier<Map<String, String>> store) {
    this.store = store;
  }

  public List<Template> latest() {
    List<Template> out = new ArrayList<>();
    store
        .get()
        .forEach(
            (key, json) -> {
              if (!key.contains("@")) {
                StoredTemplate stored = StoredTemplate.fromJson(json);
                Template t =
                    parsed.computeIfAbsent(
                        Template.storeKey(stored.name(), stored.version()), k -> parse(stored));
                if (t != null) {
                  out.add(t);
                }
              }
            });
    return out;
  }

  private static Template parse(StoredTemplate stored) {
    try {
      return stored.parse();
    } catch (InvalidTemplateException e) {
      return null;
    }
  }
}
