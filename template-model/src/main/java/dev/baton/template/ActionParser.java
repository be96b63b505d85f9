package dev.baton.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.expressions.Expressions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads a job's {@code http}, {@code service}, {@code emit} or {@code sleep}. */
final class ActionParser extends YamlFields {
  static final Set<String> KINDS = Set.of("http", "service", "emit", "sleep");
  private static final Set<String> HTTP_FIELDS =
      Set.of("method", "url", "headers", "body", "expect", "outputs");
  private static final Set<String> RECORD_FIELDS = Set.of("topic", "key", "value");
  private static final Set<String> SLEEP_FIELDS = Set.of("for", "until");
  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}");
  private static final Set<String> METHODS =
      Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");

  /** Fields a step that runs no process cannot have. */
  static final List<String> EXCLUDES =
      List.of("command", "image", "env", "runtime", "kubernetes", "wait", "run", "cache");

  /** Most bytes of a record a service or emit step writes. */
  public static final int MAX_RECORD_BYTES = 900 * 1024;

  ActionParser(YamlFields shared) {
    super(shared);
  }

  /** Whether the job's fields name an action (valid or not). */
  static boolean declares(Map<String, Node> f) {
    return KINDS.stream().anyMatch(k -> f.get(k) != null);
  }

  /** An HTTP step's outputs: the keys of its {@code http.outputs}; it declares no others. */
  static List<String> outputsOf(StepAction.Http h, Node declared, String path, YamlFields at) {
    if (declared != null) {
      at.error(path + ".outputs", "an http step's outputs are the keys of http.outputs");
    }
    return List.copyOf(h.outputs().keySet());
  }

  /** The job's action (null when it has none); errors are reported at their field. */
  StepAction parse(Map<String, Node> f, String path) {
    List<String> given = KINDS.stream().filter(k -> f.get(k) != null).sorted().toList();
    if (given.isEmpty()) {
      return null;
    }
    if (given.size() > 1) {
      error(
          path + "." + given.get(1), "a step has one kind; it has " + String.join(" and ", given));
      return null;
    }
    String kind = given.get(0);
    for (String field : EXCLUDES) {
      if (f.containsKey(field)) {
        error(
            path + "." + field,
            "a "
                + kind
                + " step runs no process: it has no "
                + field
                + " ("
                + kind
                + " beside it)");
      }
    }
    if ((kind.equals("emit") || kind.equals("sleep")) && f.containsKey("forEach")) {
      error(path + ".forEach", "a " + kind + " step is one record or one pause: it has no forEach");
    }
    if ((kind.equals("emit") || kind.equals("sleep")) && f.containsKey("outputs")) {
      error(path + ".outputs", "a " + kind + " step gives no outputs");
    }
    String at = path + "." + kind;
    return switch (kind) {
      case "http" -> http(f.get(kind), at);
      case "service" -> record(f.get(kind), at, true);
      case "emit" -> record(f.get(kind), at, false);
      default -> sleep(f.get(kind), at);
    };
  }

  private StepAction.Http http(Node node, String path) {
    Map<String, Node> f =
        mapping(
            node, path, HTTP_FIELDS, "a mapping with method, url, headers, body, expect, outputs");
    if (f == null) {
      return null;
    }
    String method = optionalString(f.get("method"), path + ".method");
    method = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      error(
          path + ".method",
          "must be one of " + String.join(", ", METHODS.stream().sorted().toList()));
    }
    String url = requiredString(f, "url", path + ".url");
    if (url != null) {
      String lower = url.toLowerCase(Locale.ROOT);
      if (!lower.startsWith("https://") && !lower.startsWith("http://")) {
        error(
            path + ".url",
            "must start with https:// or http://, got '" + Expressions.shortened(url) + "'");
      }
    }
    Map<String, JobSpec.SecretRef> secretHeaders = new LinkedHashMap<>();
    Map<String, String> headers =
        stringMap(
            f.get("headers"),
            path + ".headers",
            secretHeaders,
            HEADER_NAME,
            "is not an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)");
    String body = optionalString(f.get("body"), path + ".body");
    List<Integer> expect = new ArrayList<>();
    List<String> codes = stringList(f.get("expect"), path + ".expect", false);
    for (int i = 0; i < codes.size(); i++) {
      try {
        int code = Integer.parseInt(codes.get(i));
        if (code < 100 || code > 599) {
          throw new NumberFormatException();
        }
        expect.add(code);
      } catch (NumberFormatException e) {
        error(
            path + ".expect[" + i + "]",
            "must be an HTTP status (100 to 599), got '" + codes.get(i) + "'");
      }
    }
    Map<String, String> outputs = stringMap(f.get("outputs"), path + ".outputs");
    outputs.forEach(
        (name, expr) -> {
          if (!TemplateParser.OUTPUT_KEY.matcher(name).matches()) {
            error(
                path + ".outputs." + name,
                "an output key must be letters, digits, '_', '.' or '-'");
          }
          try {
            Expressions.checkResponse(expr);
          } catch (Expressions.InvalidExpressionException e) {
            error(path + ".outputs." + name, e.getMessage());
          }
        });
    return url == null
        ? null
        : new StepAction.Http(method, url, headers, secretHeaders, body, expect, outputs);
  }

  private StepAction record(Node node, String path, boolean service) {
    Map<String, Node> f = mapping(node, path, RECORD_FIELDS, "a mapping with topic, key and value");
    if (f == null) {
      return null;
    }
    String topic = requiredString(f, "topic", path + ".topic");
    if (topic != null && !TemplateParser.TOPIC.matcher(topic).matches()) {
      error(path + ".topic", "must be a Kafka topic name, got '" + topic + "'");
    }
    String key = optionalString(f.get("key"), path + ".key");
    if (!f.containsKey("value")) {
      error(path + ".value", "missing required field");
      return null;
    }
    JsonNode value = json(f.get("value"));
    if (topic == null) {
      return null;
    }
    return service
        ? new StepAction.Service(topic, key, value)
        : new StepAction.Emit(topic, key, value);
  }

  private StepAction.Sleep sleep(Node node, String path) {
    Map<String, Node> f = mapping(node, path, SLEEP_FIELDS, "a mapping with for or until");
    if (f == null) {
      return null;
    }
    Duration duration = duration(f.get("for"), path + ".for");
    String until = optionalString(f.get("until"), path + ".until");
    if ((duration == null) == (until == null)) {
      error(path, "a sleep needs exactly one of for and until");
      return null;
    }
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      error(path + ".for", "must be more than 0");
    }
    return new StepAction.Sleep(duration, until);
  }

  /** A YAML value as JSON: mappings, lists, and every scalar as a string (null stays null). */
  static JsonNode json(Node node) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    if (node instanceof MappingNode map) {
      ObjectNode out = nodes.objectNode();
      for (NodeTuple t : map.getValue()) {
        out.set(keyText(t.getKeyNode()), json(t.getValueNode()));
      }
      return out;
    }
    if (node instanceof SequenceNode seq) {
      ArrayNode out = nodes.arrayNode();
      seq.getValue().forEach(n -> out.add(json(n)));
      return out;
    }
    if (node == null || isNull(node)) {
      return nodes.nullNode();
    }
    return nodes.textNode(((ScalarNode) node).getValue());
  }
}
