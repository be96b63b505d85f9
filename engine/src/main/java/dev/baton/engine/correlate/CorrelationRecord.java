package dev.baton.engine.correlate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A record on the correlations topic, keyed by correlation key ({@link #key}): an awaited event, a
 * wait step's attempt that starts waiting, or one that stops. Keyed so, an event and the attempts
 * that wait for it meet on one partition, in order. JSON: the topic is the engine's own.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CorrelationRecord.Event.class, name = "EVENT"),
  @JsonSubTypes.Type(value = CorrelationRecord.Await.class, name = "AWAIT"),
  @JsonSubTypes.Type(value = CorrelationRecord.Stop.class, name = "STOP")
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface CorrelationRecord {
  ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /**
   * An event from {@code topic} with this correlation key: {@code id} identifies it (a hash of its
   * record's key and value, so the same record sent twice has one id), {@code rules} are the waits
   * (template/job) whose filter it passed with the outputs each maps from it, {@code bufferMs} how
   * long it is kept for steps that start waiting later.
   */
  record Event(
      String id,
      String topic,
      String key,
      long at,
      long bufferMs,
      Map<String, Map<String, String>> rules)
      implements CorrelationRecord {
    public Event {
      rules = rules == null ? Map.of() : Map.copyOf(rules);
    }
  }

  /** Attempt {@code attempt} of {@code runId}'s {@code job} waits under {@code rule}. */
  record Await(
      String topic, String key, String runId, String job, int attempt, String rule, Long until)
      implements CorrelationRecord {}

  /** The attempt no longer waits. */
  record Stop(String topic, String key, String runId, String job, int attempt)
      implements CorrelationRecord {}

  String topic();

  String key();

  /** The Kafka key: topic and key (a topic name has no '/'). */
  static String key(String topic, String key) {
    return topic + "/" + key;
  }

  static byte[] encode(CorrelationRecord r) {
    try {
      return JSON.writeValueAsBytes(r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CorrelationRecord decode(byte[] bytes) throws IOException {
    return JSON.readValue(bytes, CorrelationRecord.class);
  }
}
