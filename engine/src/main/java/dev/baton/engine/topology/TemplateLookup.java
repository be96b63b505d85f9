package dev.baton.engine.topology;

import dev.baton.engine.template.InvalidTemplateException;
import dev.baton.engine.template.StoredTemplate;
import dev.baton.engine.template.Template;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds templates in the store (the global table of the template topic). A version never changes
 * once applied, so each is parsed once and cached.
 */
final class TemplateLookup {
  private static final Logger LOG = LoggerFactory.getLogger(TemplateLookup.class);
  private final Function<String, String> store;
  private final Map<String, Template> parsed = new ConcurrentHashMap<>();

  TemplateLookup(Function<String, String> store) {
    this.store = store;
  }

  /** The latest version of {@code name}, or null. */
  Template latest(String name) {
    return resolve(name);
  }

  /** Version {@code version} of {@code name}, or null. */
  Template version(String name, int version) {
    String key = Template.storeKey(name, version);
    Template cached = parsed.get(key);
    return cached != null ? cached : resolve(key);
  }

  private Template resolve(String key) {
    String json = store.apply(key);
    if (json == null) {
      return null;
    }
    StoredTemplate stored = StoredTemplate.fromJson(json);
    return parsed.computeIfAbsent(
        Template.storeKey(stored.name(), stored.version()),
        k -> {
          try {
            return stored.parse();
          } catch (InvalidTemplateException e) {
            // apply validates before publishing; a record that fails here was written by something
            // else.
            LOG.error(
                "template {} in the store is invalid and cannot start runs: {}", k, e.getMessage());
            return null;
          }
        });
  }
}
