package dev.baton.template;

import dev.baton.settings.DurationText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The YAML reading a template's parts share: fields with their lines, scalars, lists, maps,
 * durations and numbers, each reporting an error at the field's line instead of throwing. The
 * parsers of a template's parts extend it and share one list of errors and one map of lines.
 */
class YamlFields {
  private final String source;
  private final List<TemplateError> errors;
  final Map<String, Integer> lines;

  YamlFields(String source) {
    this.source = source;
    this.errors = new ArrayList<>();
    this.lines = new HashMap<>();
  }

  List<TemplateError> errors() {
    return errors;
  }

  /** Line (1-based) of a field path such as {@code jobs[1].command}, or of its nearest parent. */
  int lineOf(String path) {
    String p = path;
    while (!p.isEmpty()) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut < 0 ? "" : p.substring(0, cut);
    }
    return 1;
  }

  void error(String path, String message) {
    errors.add(new TemplateError(source, lineOf(path), path, message));
  }

  /** An error of the whole document (its YAML), at a line. */
  void errorAtLine(int line, String message) {
    errors.add(new TemplateError(source, line, "", message));
  }

  /** A parser of a part of the same template: its errors and lines go where {@code shared}'s do. */
  YamlFields(YamlFields shared) {
    this.source = shared.source;
    this.errors = shared.errors;
    this.lines = shared.lines;
  }

  /**
   * The fields of an optional mapping at {@code path}: null when it is absent or null, null with an
   * error saying what it must be ({@code shape}) when it is not a mapping.
   */
  Map<String, Node> mapping(Node node, String path, Set<String> allowed, String shape) {
    if (node == null || isNull(node)) {
      return null;
    }
    if (!(node instanceof MappingNode map)) {
      error(path, "must be " + shape);
      return null;
    }
    return fields(map, path, allowed);
  }

  /** true or false, or {@code fallback} when absent; anything else is an error. */
  boolean bool(Node node, String path, boolean fallback) {
    if (node == null || isNull(node)) {
      return fallback;
    }
    String text = scalar(node, path);
    if (!"true".equals(text) && !"false".equals(text)) {
      error(path, "must be true or false, got '" + text + "'");
      return fallback;
    }
    return "true".equals(text);
  }

  Map<String, Node> fields(MappingNode node, String path, Set<String> allowed) {
    Map<String, Node> out = new LinkedHashMap<>();
    for (NodeTuple t : node.getValue()) {
      String fieldPath = join(path, keyText(t.getKeyNode()));
      lines.put(fieldPath, t.getKeyNode().getStartMark().getLine() + 1);
      String key = keyText(t.getKeyNode());
      if (allowed != null && !allowed.contains(key)) {
        error(fieldPath, "unknown field (expected one of " + new TreeSet<>(allowed) + ")");
      } else if (out.containsKey(key)) {
        error(fieldPath, "duplicate field");
      } else {
        out.put(key, t.getValueNode());
      }
    }
    return out;
  }

  static <T> T orDefault(T value, T fallback) {
    return value == null ? fallback : value;
  }

  Duration duration(Node node, String path) {
    if (node == null || isNull(node)) {
      return null;
    }
    String text = scalar(node, path);
    Duration d = DurationText.parse(text);
    if (d == null && text != null) {
      error(path, "must be a duration such as 100ms, 2s, 5m, 1h or 7d, got '" + text + "'");
    }
    return d;
  }

  /** {@code sla: {duration: 30m}}: a duration of more than 0, or null when absent. */
  Duration sla(Node node, String path) {
    if (node == null || isNull(node)) {
      return null;
    }
    Map<String, Node> f = mapping(node, path, Set.of("duration"), "a mapping: {duration: 30m}");
    if (f == null) {
      return null;
    }
    if (!f.containsKey("duration")) {
      error(path + ".duration", "is required: sla: {duration: 30m}");
      return null;
    }
    Duration d = duration(f.get("duration"), path + ".duration");
    if (d != null && (d.isZero() || d.isNegative())) {
      error(path + ".duration", "must be more than 0");
      return null;
    }
    return d;
  }

  int nonNegativeInt(Node node, String path, int fallback) {
    if (node == null || isNull(node)) {
      return fallback;
    }
    int v = integer(node, path, fallback);
    if (v < 0) {
      error(path, "must be 0 or more, got " + v);
      return fallback;
    }
    return v;
  }

  int integer(Node node, String path, int fallback) {
    String text = scalar(node, path);
    try {
      return Integer.parseInt(text == null ? "" : text.trim());
    } catch (NumberFormatException e) {
      error(path, "must be an integer, got '" + text + "'");
      return fallback;
    }
  }

  List<String> stringList(Node node, String path, boolean required) {
    List<String> out = new ArrayList<>();
    if (node == null || isNull(node)) {
      if (required) {
        error(path, "missing required field (an argv list such as [echo, hello])");
      }
      return out;
    }
    if (!(node instanceof SequenceNode seq)) {
      error(
          path,
          "must be a list of strings"
              + (required ? " (an argv list such as [echo, hello]; no shell is used)" : ""));
      return out;
    }
    for (int i = 0; i < seq.getValue().size(); i++) {
      Node item = seq.getValue().get(i);
      lines.put(path + "[" + i + "]", item.getStartMark().getLine() + 1);
      String s = scalar(item, path + "[" + i + "]");
      if (s != null) {
        out.add(s);
      }
    }
    if (required && out.isEmpty()) {
      error(path, "must not be empty");
    }
    return out;
  }

  Map<String, String> stringMap(Node node, String path) {
    return stringMap(node, path, null);
  }

  /**
   * NAME: value pairs; with {@code secrets} (a job's env), a value may also be {secretRef: {name,
   * key}}, collected there.
   */
  Map<String, String> stringMap(Node node, String path, Map<String, JobSpec.SecretRef> secrets) {
    return stringMap(
        node,
        path,
        secrets,
        TemplateParser.PARAM_NAME,
        "an environment variable name must be letters, digits and '_'");
  }

  /** Pairs whose names match {@code names}; a name that does not is an error, {@code why}. */
  Map<String, String> stringMap(
      Node node, String path, Map<String, JobSpec.SecretRef> secrets, Pattern names, String why) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null || isNull(node)) {
      return out;
    }
    if (!(node instanceof MappingNode map)) {
      error(
          path,
          "must be a mapping of NAME: value"
              + (secrets == null ? "" : " or NAME: {secretRef: {name: ..., key: ...}}"));
      return out;
    }
    for (Map.Entry<String, Node> e : fields(map, path, null).entrySet()) {
      String key = path + "." + e.getKey();
      if (!names.matcher(e.getKey()).matches()) {
        error(key, why);
        continue;
      }
      if (secrets != null && e.getValue() instanceof MappingNode ref) {
        secretRef(ref, key).ifPresent(r -> secrets.put(e.getKey(), r));
        continue;
      }
      String value = scalar(e.getValue(), key);
      out.put(e.getKey(), value == null ? "" : value);
    }
    return out;
  }

  Optional<JobSpec.SecretRef> secretRef(MappingNode ref, String key) {
    Node inner = fields(ref, key, Set.of("secretRef")).get("secretRef");
    if (!(inner instanceof MappingNode refFields)) {
      error(key + ".secretRef", "must be a mapping with name and key");
      return Optional.empty();
    }
    Map<String, Node> rf = fields(refFields, key + ".secretRef", Set.of("name", "key"));
    String secret = requiredString(rf, "name", key + ".secretRef.name");
    String secretKey = requiredString(rf, "key", key + ".secretRef.key");
    return secret == null || secretKey == null
        ? Optional.empty()
        : Optional.of(new JobSpec.SecretRef(secret, secretKey));
  }

  String requiredString(Map<String, Node> fields, String key, String path) {
    Node node = fields.get(key);
    if (node == null || isNull(node)) {
      error(path, "missing required field");
      return null;
    }
    return scalar(node, path);
  }

  String optionalString(Node node, String path) {
    return node == null || isNull(node) ? null : scalar(node, path);
  }

  String scalar(Node node, String path) {
    if (node instanceof ScalarNode s) {
      return s.getValue();
    }
    error(
        path,
        "must be a single value, not a " + (node instanceof MappingNode ? "mapping" : "list"));
    return null;
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode s && s.getTag().getValue().endsWith(":null");
  }

  static String keyText(Node key) {
    return key instanceof ScalarNode s ? s.getValue() : key.toString();
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** A mapping of label-like keys (nodeSelector) to values. */
  Map<String, String> labelMap(Node node, String path) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null || isNull(node)) {
      return out;
    }
    if (!(node instanceof MappingNode map)) {
      error(path, "must be a mapping of label: value");
      return out;
    }
    fields(map, path, null).forEach((k, v) -> out.put(k, scalar(v, path + "." + k)));
    return out;
  }
}
