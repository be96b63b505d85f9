package dev.baton.template;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A template as kept in the compacted store topic: its name, version and the YAML as the user wrote
 * it. {@code templates apply} writes it under two keys, {@code name@version} (what a run is pinned
 * to) and {@code name} (the latest version, what a new trigger uses).
 */
public record StoredTemplate(String name, int version, String source) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public static StoredTemplate of(Template template, String yaml) {
    return new StoredTemplate(template.name(), template.version(), yaml);
  }

  public String toJson() {
    try {
      return MAPPER.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static StoredTemplate fromJson(String json) {
    try {
      return MAPPER.readValue(json, StoredTemplate.class);
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable template store record", e);
    }
  }

  /** Parses and validates the YAML; the store only holds templates that passed this at apply. */
  public Template parse() throws InvalidTemplateException {
    return Templates.parse(Template.storeKey(name, version), source);
  }
}
