package dev.baton.template;

import dev.baton.settings.DurationText;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The event a wait step written in Java waits for: {@code
 * EventMatch.on("payments").key("event.orderId") .match("${params.order}")}.
 */
public final class EventMatch {
  private final Map<String, Object> fields = new LinkedHashMap<>();
  private final Map<String, Object> outputs = new LinkedHashMap<>();

  private EventMatch(String topic) {
    fields.put("topic", topic);
  }

  /** An event on {@code topic}. */
  public static EventMatch on(String topic) {
    return new EventMatch(topic);
  }

  /** The event's correlation key: CEL over {@code event}. */
  public EventMatch key(String cel) {
    fields.put("key", cel);
    return this;
  }

  /** This run's value of the key: text with {@code ${...}} references. */
  public EventMatch match(String text) {
    fields.put("match", text);
    return this;
  }

  /** Only events for which this CEL expression over {@code event} is true. */
  public EventMatch filter(String cel) {
    fields.put("filter", cel);
    return this;
  }

  /** An output of the step: CEL over {@code event}. */
  public EventMatch output(String outputName, String cel) {
    outputs.put(outputName, cel);
    return this;
  }

  /** How long an event that comes before the step waits is kept (1h unless given). */
  public EventMatch buffer(Duration buffer) {
    fields.put("buffer", DurationText.format(buffer));
    return this;
  }

  Map<String, Object> document() {
    Map<String, Object> out = new LinkedHashMap<>(fields);
    TemplateYaml.putMap(out, "outputs", outputs);
    return out;
  }
}
