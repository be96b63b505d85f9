package dev.baton.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.kafka.TopicAdmin;
import dev.baton.template.ApplyChecks;
import dev.baton.template.InvalidTemplateException;
import dev.baton.template.StoredTemplate;
import dev.baton.template.Template;
import dev.baton.template.TemplateError;
import dev.baton.template.Templates;
import dev.baton.template.TopicChecks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code POST /api/templates/validate} and {@code POST /api/templates}: a template's text, {@code
 * {"yaml": "..."}}, checked by the code {@code baton templates apply} runs ({@link ApplyChecks}),
 * with its errors as {@code {line, field, message}}; applied as the next version of its name.
 */
final class TemplateApply {
  /** Most bytes of a template's text: the store keeps it in one Kafka record. */
  static final int MAX_YAML_BYTES = 512 * 1024;

  /** How long an apply waits for the engine to see the version it published. */
  static final Duration VISIBLE_WITHIN = Duration.ofSeconds(5);

  /** Publishes a stored template's record under a key of the template topic. */
  interface Store {
    void publish(String key, byte[] value) throws ExecutionException, InterruptedException;
  }

  /** An answer: its status and its JSON body. */
  record Answer(int status, Map<String, Object> body) {}

  private final Supplier<List<Template>> latest;
  private final Supplier<Set<String>> topics;
  private final Store store;

  TemplateApply(Supplier<List<Template>> latest, Supplier<Set<String>> topics, Store store) {
    this.latest = latest;
    this.topics = topics;
    this.store = store;
  }

  /**
   * One that lists the cluster's topics with {@code kafka} (only for a template whose steps write
   * to topics) and publishes to {@code topic} with {@code producer}.
   */
  static TemplateApply of(
      Supplier<List<Template>> latest,
      Properties kafka,
      KafkaProducer<String, byte[]> producer,
      String topic) {
    return new TemplateApply(
        latest,
        () -> TopicAdmin.topicNames(kafka, Duration.ofSeconds(10)),
        (key, value) -> producer.send(new ProducerRecord<>(topic, key, value)).get());
  }

  /** The template's name, version and jobs (200), or its errors (400). */
  Answer validate(JsonNode body) {
    String yaml = yaml(body);
    try {
      Template t = check(yaml);
      return new Answer(200, summary(t));
    } catch (InvalidTemplateException e) {
      return refused(e.errors());
    }
  }

  /**
   * Publishes the template as {@code name@version} and as the latest of its name (201), once it
   * passes the checks (else 400) and is newer than the store's latest of that name (else 409);
   * answers when the engine's store has it, so a run started next uses it.
   */
  Answer apply(JsonNode body, String caller) throws ExecutionException, InterruptedException {
    String yaml = yaml(body);
    Template t;
    try {
      t = check(yaml);
    } catch (InvalidTemplateException e) {
      return refused(e.errors());
    }
    Template current = latestOf(t.name());
    if (current != null && current.version() >= t.version()) {
      throw new ApiException(
          409,
          "template '"
              + t.name()
              + "' is at version "
              + current.version()
              + "; apply version "
              + (current.version() + 1)
              + " or later");
    }
    byte[] value =
        StoredTemplate.of(t, yaml, "api:" + caller, java.time.Instant.now())
            .toJson()
            .getBytes(StandardCharsets.UTF_8);
    store.publish(t.storeKey(), value);
    store.publish(t.name(), value);
    long deadline = System.nanoTime() + VISIBLE_WITHIN.toNanos();
    while (System.nanoTime() < deadline) {
      Template seen = latestOf(t.name());
      if (seen != null && seen.version() >= t.version()) {
        break;
      }
      // once per apply, never per run: the engine's global store reads the record on its own thread
      Thread.sleep(20);
    }
    return new Answer(201, summary(t));
  }

  private Template check(String yaml) throws InvalidTemplateException {
    Template alone = Templates.parse(SOURCE, yaml);
    Set<String> existing = TopicChecks.written(alone).isEmpty() ? Set.of() : topics.get();
    Map<String, Template> stored = new LinkedHashMap<>();
    latest.get().forEach(t -> stored.put(t.name(), t));
    return ApplyChecks.check(SOURCE, yaml, existing, stored);
  }

  /** How errors name the text: it has no file. */
  static final String SOURCE = "template";

  private Template latestOf(String name) {
    return latest.get().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
  }

  private static String yaml(JsonNode body) {
    body.fieldNames()
        .forEachRemaining(
            field -> {
              if (!field.equals("yaml")) {
                throw new ApiException(
                    400, "unknown field '" + field + "'; the body is {\"yaml\": \"<template>\"}");
              }
            });
    if (!body.path("yaml").isTextual()) {
      throw new ApiException(400, "field 'yaml' must hold the template's text");
    }
    String yaml = body.get("yaml").asText();
    int bytes = yaml.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_YAML_BYTES) {
      throw new ApiException(
          413, "the template is " + bytes + " bytes; at most " + MAX_YAML_BYTES + " are kept");
    }
    return yaml;
  }

  private static Map<String, Object> summary(Template t) {
    return Map.of("name", t.name(), "version", t.version(), "jobs", t.jobs().size());
  }

  private static Answer refused(List<TemplateError> errors) {
    List<Map<String, Object>> list =
        errors.stream()
            .map(
                e -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("line", e.line());
                  m.put("field", e.field());
                  m.put("message", e.message());
                  return m;
                })
            .toList();
    return new Answer(
        400, Map.of("error", "the template is refused: " + errors.get(0), "errors", list));
  }
}
