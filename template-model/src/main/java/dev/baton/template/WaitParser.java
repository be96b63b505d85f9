package dev.baton.template;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a job's {@code wait}: {@code event} or {@code approval}, and the wait's {@code timeout}.
 */
final class WaitParser extends YamlFields {
  private static final Set<String> WAIT_FIELDS = Set.of("event", "approval", "timeout");
  private static final Set<String> EVENT_FIELDS =
      Set.of("topic", "key", "match", "filter", "outputs", "buffer");
  private static final Set<String> APPROVAL_FIELDS = Set.of("prompt", "inputs");

  /** The wait, and its timeout (null when none). */
  record Parsed(WaitSpec waitFor, Duration timeout) {}

  WaitParser(YamlFields shared) {
    super(shared);
  }

  /** Null when {@code node} is absent; errors are reported at their field. */
  Parsed parse(Node node, String path) {
    Map<String, Node> f =
        mapping(node, path, WAIT_FIELDS, "a mapping with event or approval, and timeout");
    if (f == null) {
      return null;
    }
    Duration timeout = duration(f.get("timeout"), path + ".timeout");
    if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
      error(path + ".timeout", "must be more than 0");
    }
    boolean hasEvent = f.get("event") != null && !isNull(f.get("event"));
    boolean hasApproval = f.get("approval") != null && !isNull(f.get("approval"));
    if (hasEvent == hasApproval) {
      error(path, "a wait needs exactly one of event and approval");
      return new Parsed(null, timeout);
    }
    WaitSpec wait =
        hasEvent
            ? new WaitSpec(event(f.get("event"), path + ".event"), null)
            : new WaitSpec(null, approval(f.get("approval"), path + ".approval"));
    return new Parsed(wait, timeout);
  }

  private WaitSpec.EventWait event(Node node, String path) {
    Map<String, Node> f =
        mapping(
            node, path, EVENT_FIELDS, "a mapping with topic, key, match, filter, outputs, buffer");
    if (f == null) {
      return null;
    }
    String topic = requiredString(f, "topic", path + ".topic");
    if (topic != null && !TemplateParser.TOPIC.matcher(topic).matches()) {
      error(
          path + ".topic",
          "must be a Kafka topic name (letters, digits, '.', '_', '-'), got '" + topic + "'");
    }
    String key = requiredString(f, "key", path + ".key");
    String match = requiredString(f, "match", path + ".match");
    if (match != null && match.isBlank()) {
      error(path + ".match", "must not be empty: it is this run's value of the key");
    }
    String filter = optionalString(f.get("filter"), path + ".filter");
    Map<String, String> outputs = stringMap(f.get("outputs"), path + ".outputs");
    for (String name : outputs.keySet()) {
      if (!TemplateParser.OUTPUT_KEY.matcher(name).matches()) {
        error(
            path + ".outputs." + name,
            "an output key must be letters, digits, '_', '.' or '-', got '" + name + "'");
      }
    }
    Duration buffer = duration(f.get("buffer"), path + ".buffer");
    if (buffer != null && (buffer.isNegative() || buffer.compareTo(WaitSpec.MAX_BUFFER) > 0)) {
      error(path + ".buffer", "must be from 0 to " + WaitSpec.MAX_BUFFER.toHours() + "h");
    }
    return new WaitSpec.EventWait(
        topic,
        key,
        match,
        filter,
        new LinkedHashMap<>(outputs),
        orDefault(buffer, WaitSpec.DEFAULT_BUFFER));
  }

  private WaitSpec.Approval approval(Node node, String path) {
    Map<String, Node> f = mapping(node, path, APPROVAL_FIELDS, "a mapping with prompt and inputs");
    if (f == null) {
      return null;
    }
    String prompt = optionalString(f.get("prompt"), path + ".prompt");
    List<String> inputs = stringList(f.get("inputs"), path + ".inputs", false);
    for (int i = 0; i < inputs.size(); i++) {
      if (!TemplateParser.OUTPUT_KEY.matcher(inputs.get(i)).matches()) {
        error(
            path + ".inputs[" + i + "]",
            "an input name must be letters, digits, '_', '.' or '-', got '" + inputs.get(i) + "'");
      } else if (inputs.indexOf(inputs.get(i)) != i) {
        error(path + ".inputs[" + i + "]", "duplicate input '" + inputs.get(i) + "'");
      }
    }
    return new WaitSpec.Approval(prompt == null ? "" : prompt, inputs);
  }

  /** The outputs a wait step gives: the event's mapped outputs, or the approval's inputs. */
  static List<String> outputsOf(WaitSpec wait) {
    if (wait.event() != null) {
      return List.copyOf(wait.event().outputs().keySet());
    }
    return wait.approval() == null ? List.of() : wait.approval().inputs();
  }
}
