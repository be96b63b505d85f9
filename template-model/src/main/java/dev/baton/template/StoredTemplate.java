package dev.baton.template;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * A template as kept in the compacted store topic: its name, version, the YAML as the user wrote
 * it, and who applied it when. {@code templates apply} writes it under two keys, {@code
 * name@version} (what a run is pinned to) and {@code name} (the latest version, what a new trigger
 * uses). Records written before {@code appliedBy} and {@code appliedAt} existed read them as null;
 * fields a later version adds are ignored.
 *
 * @param appliedBy who applied it: {@code cli:<user>}, {@code api:<token name>}, {@code
 *     client:<user>}
 * @param appliedAt when, as an ISO-8601 instant
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoredTemplate(
    String name, int version, String source, String appliedBy, String appliedAt) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Applied by {@code appliedBy} at {@code appliedAt}. */
  public static StoredTemplate of(
      Template template, String yaml, String appliedBy, Instant appliedAt) {
    return new StoredTemplate(
        template.name(), template.version(), yaml, appliedBy, appliedAt.toString());
  }

  /** {@code <via>:<the operating system user>}: who applies from a shell or a service. */
  public static String localUser(String via) {
    return via + ":" + System.getProperty("user.name", "unknown");
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
