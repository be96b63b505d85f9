package dev.baton.engine.template;

import dev.baton.settings.DurationText;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a template's YAML into a {@link Template}, remembering the line of every field so that
 * each error can point at it. Structural errors (wrong types, unknown or missing fields) are
 * found here; cross-references are checked by {@link TemplateValidator}.
 */
final class TemplateParser {
  static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  static final Pattern OUTPUT_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
  private static final Set<String> TOP_FIELDS =
      Set.of("name", "version", "description", "params", "jobs", "timeout", "onExit", "maxConcurrentRuns", "on", "schedule");
  private static final Set<String> RULE_FIELDS = Set.of("topic", "filter", "params", "idempotencyKey");
  private static final Set<String> SCHEDULE_FIELDS = Set.of("cron", "timezone", "every", "catchUp");
  private static final Set<String> PARAM_FIELDS = Set.of("required", "default", "description");
  private static final Set<String> JOB_FIELDS = Set.of(
      "name", "command", "image", "env", "outputs", "dependsOn", "when", "forEach", "maxParallel", "retry", "timeout",
      "startTimeout", "runtime", "kubernetes");
  private static final Set<String> EXIT_FIELDS =
      Set.of("name", "command", "image", "env", "outputs", "retry", "timeout", "startTimeout", "runtime", "kubernetes");
  private static final Set<String> POD_FIELDS =
      Set.of("resources", "nodeSelector", "tolerations", "serviceAccountName", "imagePullSecrets", "warm");
  private static final Set<String> WARM_FIELDS = Set.of("min", "max", "idleTimeout", "reuse");
  private static final Set<String> RUNTIMES = Set.of("local", "kubernetes");
  private static final Set<String> RETRY_FIELDS = Set.of("limit", "backoff", "on");
  private static final Set<String> BACKOFF_FIELDS = Set.of("initial", "factor", "max");

  private final String source;
  private final List<TemplateError> errors = new ArrayList<>();
  private final Map<String, Integer> lines = new HashMap<>();

  TemplateParser(String source) {
    this.source = source;
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

  /** The template, or null when the YAML is too broken to build one (errors say why). */
  Template parse(String text) {
    Node root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      // The context mark is where the broken construct starts (an unclosed quote), the problem mark where it broke.
      var mark = e.getContextMark() != null ? e.getContextMark() : e.getProblemMark();
      int line = mark != null ? mark.getLine() + 1 : 1;
      String context = e.getContext() != null ? e.getContext() + ": " : "";
      errors.add(new TemplateError(source, line, "", "bad YAML: " + context + e.getProblem()));
      return null;
    } catch (RuntimeException e) {
      errors.add(new TemplateError(source, 1, "", "bad YAML: " + e.getMessage()));
      return null;
    }
    if (!(root instanceof MappingNode top)) {
      errors.add(new TemplateError(source, 1, "", "a template must be a YAML mapping with name, version and jobs"));
      return null;
    }
    Map<String, Node> fields = fields(top, "", TOP_FIELDS);
    String name = requiredString(fields, "name", "name");
    if (name != null && !NAME.matcher(name).matches()) {
      error("name", "must be lower-case letters, digits and '-' (at most 63), got '" + name + "'");
    }
    int version = version(fields.get("version"));
    String description = optionalString(fields.get("description"), "description");
    Map<String, ParamSpec> params = params(fields.get("params"));
    List<JobSpec> jobs = jobs(fields.get("jobs"));
    Duration timeout = duration(fields.get("timeout"), "timeout");
    JobSpec onExit = onExit(fields.get("onExit"));
    int maxConcurrentRuns = nonNegativeInt(fields.get("maxConcurrentRuns"), "maxConcurrentRuns", 0);
    List<TriggerRule> on = rules(fields.get("on"));
    Schedule schedule = schedule(fields.get("schedule"));
    if (name == null) {
      return null;
    }
    return new Template(name, version, description == null ? "" : description, params, jobs, timeout, onExit, maxConcurrentRuns,
        on, schedule);
  }

  private List<TriggerRule> rules(Node node) {
    List<TriggerRule> rules = new ArrayList<>();
    if (node == null || isNull(node)) {
      return rules;
    }
    if (!(node instanceof SequenceNode seq)) {
      error("on", "must be a list of rules: - {topic, filter, params, idempotencyKey}");
      return rules;
    }
    for (int i = 0; i < seq.getValue().size(); i++) {
      String path = "on[" + i + "]";
      Node ruleNode = seq.getValue().get(i);
      lines.put(path, ruleNode.getStartMark().getLine() + 1);
      if (!(ruleNode instanceof MappingNode map)) {
        error(path, "a rule is a mapping with topic, filter, params and idempotencyKey");
        continue;
      }
      Map<String, Node> f = fields(map, path, RULE_FIELDS);
      String topic = requiredString(f, "topic", path + ".topic");
      String filter = optionalString(f.get("filter"), path + ".filter");
      Map<String, String> mapping = stringMap(f.get("params"), path + ".params");
      String key = optionalString(f.get("idempotencyKey"), path + ".idempotencyKey");
      if (topic != null) {
        rules.add(new TriggerRule(topic, filter, mapping, key));
      }
    }
    return rules;
  }

  private Schedule schedule(Node node) {
    if (node == null || isNull(node)) {
      return null;
    }
    if (!(node instanceof MappingNode map)) {
      error("schedule", "must be a mapping: {cron, timezone, catchUp} or {every}");
      return null;
    }
    Map<String, Node> f = fields(map, "schedule", SCHEDULE_FIELDS);
    String cron = optionalString(f.get("cron"), "schedule.cron");
    Duration every = duration(f.get("every"), "schedule.every");
    String zoneText = optionalString(f.get("timezone"), "schedule.timezone");
    String catchUpText = optionalString(f.get("catchUp"), "schedule.catchUp");
    if ((cron == null) == (every == null) && !f.containsKey("every")) {
      error("schedule", "give either cron or every");
      return null;
    }
    if (cron != null && f.containsKey("every")) {
      error("schedule.every", "give either cron or every, not both");
      return null;
    }
    if (cron != null) {
      try {
        Schedule.parseCron(cron);
      } catch (IllegalArgumentException e) {
        error("schedule.cron", "not a 5-field cron expression: " + e.getMessage());
        return null;
      }
    }
    if (every != null && every.toMillis() < 1000) {
      error("schedule.every", "must be at least 1s");
    }
    java.time.ZoneId zone = java.time.ZoneOffset.UTC;
    if (zoneText != null) {
      try {
        zone = java.time.ZoneId.of(zoneText);
      } catch (java.time.DateTimeException e) {
        error("schedule.timezone", "unknown time zone '" + zoneText + "'");
      }
    }
    if (catchUpText != null && !catchUpText.equals("true") && !catchUpText.equals("false")) {
      error("schedule.catchUp", "must be true or false, got '" + catchUpText + "'");
    }
    return every == null && cron == null ? null : new Schedule(cron, zone, every, "true".equals(catchUpText));
  }

  private Map<String, Node> fields(MappingNode node, String path, Set<String> allowed) {
    Map<String, Node> out = new LinkedHashMap<>();
    for (NodeTuple t : node.getValue()) {
      String fieldPath = join(path, keyText(t.getKeyNode()));
      lines.put(fieldPath, t.getKeyNode().getStartMark().getLine() + 1);
      String key = keyText(t.getKeyNode());
      if (allowed != null && !allowed.contains(key)) {
        error(fieldPath, "unknown field (expected one of " + new java.util.TreeSet<>(allowed) + ")");
      } else if (out.containsKey(key)) {
        error(fieldPath, "duplicate field");
      } else {
        out.put(key, t.getValueNode());
      }
    }
    return out;
  }

  private int version(Node node) {
    if (node == null) {
      error("version", "missing required field");
      return 0;
    }
    String text = scalar(node, "version");
    try {
      int v = Integer.parseInt(text == null ? "" : text.trim());
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    error("version", "must be a positive integer, got '" + text + "'");
    return 0;
  }

  private Map<String, ParamSpec> params(Node node) {
    Map<String, ParamSpec> params = new LinkedHashMap<>();
    if (node == null || isNull(node)) {
      return params;
    }
    if (!(node instanceof MappingNode map)) {
      error("params", "must be a mapping of parameter name to {required, default, description}");
      return params;
    }
    for (Map.Entry<String, Node> e : fields(map, "params", null).entrySet()) {
      String path = "params." + e.getKey();
      if (!PARAM_NAME.matcher(e.getKey()).matches()) {
        error(path, "a parameter name must be letters, digits and '_', not starting with a digit");
        continue;
      }
      params.put(e.getKey(), param(e.getKey(), e.getValue(), path));
    }
    return params;
  }

  private ParamSpec param(String name, Node node, String path) {
    if (isNull(node)) {
      return new ParamSpec(name, true, null, "");
    }
    if (!(node instanceof MappingNode map)) {
      error(path, "must be a mapping with required, default or description");
      return new ParamSpec(name, true, null, "");
    }
    Map<String, Node> f = fields(map, path, PARAM_FIELDS);
    String defaultValue = f.containsKey("default") ? scalar(f.get("default"), path + ".default") : null;
    String requiredText = f.containsKey("required") ? scalar(f.get("required"), path + ".required") : null;
    boolean required = defaultValue == null;
    if (requiredText != null) {
      if (!requiredText.equals("true") && !requiredText.equals("false")) {
        error(path + ".required", "must be true or false, got '" + requiredText + "'");
      } else {
        required = Boolean.parseBoolean(requiredText);
      }
    }
    if (required && defaultValue != null) {
      error(path + ".default", "a required parameter cannot have a default");
    }
    String description = optionalString(f.get("description"), path + ".description");
    return new ParamSpec(name, required, defaultValue, description == null ? "" : description);
  }

  private List<JobSpec> jobs(Node node) {
    List<JobSpec> jobs = new ArrayList<>();
    if (node == null) {
      error("jobs", "missing required field");
      return jobs;
    }
    if (!(node instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
      error("jobs", "must be a non-empty list of jobs");
      return jobs;
    }
    if (seq.getValue().size() > Templates.MAX_JOBS) {
      error("jobs", "has " + seq.getValue().size() + " jobs; a template may have at most " + Templates.MAX_JOBS
          + " (compose larger workflows from several templates)");
      return jobs;
    }
    for (int i = 0; i < seq.getValue().size(); i++) {
      String path = "jobs[" + i + "]";
      Node jobNode = seq.getValue().get(i);
      lines.put(path, jobNode.getStartMark().getLine() + 1);
      if (!(jobNode instanceof MappingNode map)) {
        error(path, "a job must be a mapping with name and command");
        continue;
      }
      String previous = jobs.isEmpty() ? null : jobs.get(jobs.size() - 1).name();
      JobSpec job = job(map, path, JOB_FIELDS, previous);
      if (job != null) {
        jobs.add(job);
      }
    }
    return jobs;
  }

  private JobSpec onExit(Node node) {
    if (node == null || isNull(node)) {
      return null;
    }
    if (!(node instanceof MappingNode map)) {
      error("onExit", "must be a job: a mapping with name and command");
      return null;
    }
    return job(map, "onExit", EXIT_FIELDS, null);
  }

  /** A job; without dependsOn it depends on {@code previous} (the job listed before it), if any. */
  private JobSpec job(MappingNode map, String path, Set<String> allowed, String previous) {
    Map<String, Node> f = fields(map, path, allowed);
    String name = requiredString(f, "name", path + ".name");
    if (name != null && !NAME.matcher(name).matches()) {
      error(path + ".name", "must be lower-case letters, digits and '-' (at most 63), got '" + name + "'");
    }
    List<String> command = stringList(f.get("command"), path + ".command", true);
    String image = optionalString(f.get("image"), path + ".image");
    Map<String, JobSpec.SecretRef> secretEnv = new LinkedHashMap<>();
    Map<String, String> env = stringMap(f.get("env"), path + ".env", secretEnv);
    List<String> outputs = stringList(f.get("outputs"), path + ".outputs", false);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < outputs.size(); i++) {
      if (!OUTPUT_KEY.matcher(outputs.get(i)).matches()) {
        error(path + ".outputs[" + i + "]", "an output key must be letters, digits, '_', '.' or '-', got '" + outputs.get(i) + "'");
      } else if (!seen.add(outputs.get(i))) {
        error(path + ".outputs[" + i + "]", "duplicate output '" + outputs.get(i) + "'");
      }
    }
    List<String> dependsOn = f.containsKey("dependsOn")
        ? stringList(f.get("dependsOn"), path + ".dependsOn", false)
        : previous == null ? List.of() : List.of(previous);
    String when = optionalString(f.get("when"), path + ".when");
    String forEach = optionalString(f.get("forEach"), path + ".forEach");
    int maxParallel = nonNegativeInt(f.get("maxParallel"), path + ".maxParallel", 0);
    if (f.containsKey("maxParallel") && forEach == null) {
      error(path + ".maxParallel", "only a job with forEach has instances to limit");
    }
    RetrySpec retry = retry(f.get("retry"), path + ".retry");
    Duration timeout = duration(f.get("timeout"), path + ".timeout");
    Duration startTimeout = duration(f.get("startTimeout"), path + ".startTimeout");
    if (startTimeout != null && (startTimeout.isZero() || startTimeout.isNegative())) {
      error(path + ".startTimeout", "must be more than 0");
    }
    String runtime = optionalString(f.get("runtime"), path + ".runtime");
    if (runtime != null && !RUNTIMES.contains(runtime)) {
      error(path + ".runtime", "must be local or kubernetes, got '" + runtime + "'");
    }
    KubernetesOptions pod = pod(f.get("kubernetes"), path + ".kubernetes");
    if ("kubernetes".equals(runtime) && image == null) {
      error(path + ".image", "a job on the kubernetes runtime needs an image");
    }
    return name == null ? null
        : new JobSpec(name, command, image, env, outputs, dependsOn, when, forEach, maxParallel, retry, timeout, runtime, pod, secretEnv,
            startTimeout);
  }

  private KubernetesOptions pod(Node node, String path) {
    if (node == null || isNull(node)) {
      return null;
    }
    if (!(node instanceof MappingNode map)) {
      error(path, "must be a mapping with resources, nodeSelector, tolerations, serviceAccountName, imagePullSecrets, warm");
      return null;
    }
    Map<String, Node> f = fields(map, path, POD_FIELDS);
    Map<String, String> resources = new LinkedHashMap<>();
    Node res = f.get("resources");
    if (res instanceof MappingNode r) {
      for (Map.Entry<String, Node> kind : fields(r, path + ".resources", Set.of("requests", "limits")).entrySet()) {
        stringMap(kind.getValue(), path + ".resources." + kind.getKey()).forEach((k, v) -> {
          if (!k.equals("cpu") && !k.equals("memory")) {
            error(path + ".resources." + kind.getKey() + "." + k, "only cpu and memory are set per job");
          }
          resources.put(kind.getKey() + "." + k, v);
        });
      }
    } else if (res != null && !isNull(res)) {
      error(path + ".resources", "must be a mapping with requests and limits");
    }
    Map<String, String> nodeSelector = labelMap(f.get("nodeSelector"), path + ".nodeSelector");
    List<Map<String, String>> tolerations = new ArrayList<>();
    Node tol = f.get("tolerations");
    if (tol instanceof SequenceNode seq) {
      for (int i = 0; i < seq.getValue().size(); i++) {
        Node t = seq.getValue().get(i);
        String tpath = path + ".tolerations[" + i + "]";
        lines.put(tpath, t.getStartMark().getLine() + 1);
        if (t instanceof MappingNode tm) {
          Map<String, String> one = new LinkedHashMap<>();
          fields(tm, tpath, new java.util.HashSet<>(KubernetesOptions.TOLERATION_KEYS)).forEach((k, v) -> one.put(k, scalar(v, tpath + "." + k)));
          tolerations.add(one);
        } else {
          error(tpath, "a toleration is a mapping with key, operator, value, effect");
        }
      }
    } else if (tol != null && !isNull(tol)) {
      error(path + ".tolerations", "must be a list of tolerations");
    }
    String serviceAccount = optionalString(f.get("serviceAccountName"), path + ".serviceAccountName");
    List<String> pullSecrets = stringList(f.get("imagePullSecrets"), path + ".imagePullSecrets", false);
    return new KubernetesOptions(resources, nodeSelector, tolerations, serviceAccount, pullSecrets, warm(f.get("warm"), path + ".warm"));
  }

  private KubernetesOptions.WarmPool warm(Node node, String path) {
    if (node == null || isNull(node)) {
      return null;
    }
    if (!(node instanceof MappingNode map)) {
      error(path, "must be a mapping with min, max, idleTimeout, reuse");
      return null;
    }
    Map<String, Node> f = fields(map, path, WARM_FIELDS);
    int min = nonNegativeInt(f.get("min"), path + ".min", 0);
    int max = f.get("max") == null ? Math.max(5, min) : nonNegativeInt(f.get("max"), path + ".max", 5);
    if (max < 1) {
      error(path + ".max", "must be at least 1, got " + max);
    } else if (min > max) {
      error(path + ".min", "must not be more than max (" + max + "), got " + min);
    }
    Duration idle = orDefault(duration(f.get("idleTimeout"), path + ".idleTimeout"), Duration.ofMinutes(10));
    boolean reuse = false;
    if (f.get("reuse") != null) {
      String text = scalar(f.get("reuse"), path + ".reuse");
      if (!"true".equals(text) && !"false".equals(text)) {
        error(path + ".reuse", "must be true or false, got '" + text + "'");
      }
      reuse = "true".equals(text);
    }
    return new KubernetesOptions.WarmPool(min, max, idle, reuse);
  }

  /** A mapping of label-like keys (nodeSelector) to values. */
  private Map<String, String> labelMap(Node node, String path) {
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

  private RetrySpec retry(Node node, String path) {
    if (node == null || isNull(node)) {
      return null;
    }
    if (!(node instanceof MappingNode map)) {
      error(path, "must be a mapping with limit, backoff and on");
      return null;
    }
    Map<String, Node> f = fields(map, path, RETRY_FIELDS);
    int limit = 0;
    if (!f.containsKey("limit")) {
      error(path + ".limit", "missing required field");
    } else {
      limit = integer(f.get("limit"), path + ".limit", 0);
      if (limit < 0) {
        error(path + ".limit", "must be 0 or more, got " + limit);
      }
    }
    Duration initial = Duration.ofSeconds(1);
    double factor = 2;
    Duration max = Duration.ofMinutes(5);
    Node backoff = f.get("backoff");
    if (backoff instanceof MappingNode b) {
      Map<String, Node> bf = fields(b, path + ".backoff", BACKOFF_FIELDS);
      initial = orDefault(duration(bf.get("initial"), path + ".backoff.initial"), initial);
      max = orDefault(duration(bf.get("max"), path + ".backoff.max"), max);
      if (bf.containsKey("factor")) {
        String text = scalar(bf.get("factor"), path + ".backoff.factor");
        try {
          factor = Double.parseDouble(text == null ? "" : text);
          if (factor < 1) {
            error(path + ".backoff.factor", "must be 1 or more, got " + text);
          }
        } catch (NumberFormatException e) {
          error(path + ".backoff.factor", "must be a number, got '" + text + "'");
        }
      }
    } else if (backoff != null && !isNull(backoff)) {
      error(path + ".backoff", "must be a mapping with initial, factor and max");
    }
    List<String> on = stringList(f.get("on"), path + ".on", false);
    for (int i = 0; i < on.size(); i++) {
      String v = on.get(i);
      if (!RetrySpec.KINDS.contains(v) && !v.matches("\\d{1,3}")) {
        error(path + ".on[" + i + "]", "must be an exit code or one of " + RetrySpec.KINDS + ", got '" + v + "'");
      }
    }
    return new RetrySpec(limit, initial, factor, max, on);
  }

  private static <T> T orDefault(T value, T fallback) {
    return value == null ? fallback : value;
  }

  private Duration duration(Node node, String path) {
    if (node == null || isNull(node)) {
      return null;
    }
    String text = scalar(node, path);
    Duration d = DurationText.parse(text);
    if (d == null && text != null) {
      error(path, "must be a duration such as 100ms, 2s, 5m or 1h, got '" + text + "'");
    }
    return d;
  }

  private int nonNegativeInt(Node node, String path, int fallback) {
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

  private int integer(Node node, String path, int fallback) {
    String text = scalar(node, path);
    try {
      return Integer.parseInt(text == null ? "" : text.trim());
    } catch (NumberFormatException e) {
      error(path, "must be an integer, got '" + text + "'");
      return fallback;
    }
  }

  private List<String> stringList(Node node, String path, boolean required) {
    List<String> out = new ArrayList<>();
    if (node == null || isNull(node)) {
      if (required) {
        error(path, "missing required field (an argv list such as [echo, hello])");
      }
      return out;
    }
    if (!(node instanceof SequenceNode seq)) {
      error(path, "must be a list of strings" + (required ? " (an argv list such as [echo, hello]; no shell is used)" : ""));
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

  private Map<String, String> stringMap(Node node, String path) {
    return stringMap(node, path, null);
  }

  /** NAME: value pairs; with {@code secrets} (a job's env), a value may also be {secretRef: {name, key}}, collected there. */
  private Map<String, String> stringMap(Node node, String path, Map<String, JobSpec.SecretRef> secrets) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null || isNull(node)) {
      return out;
    }
    if (!(node instanceof MappingNode map)) {
      error(path, "must be a mapping of NAME: value" + (secrets == null ? "" : " or NAME: {secretRef: {name: ..., key: ...}}"));
      return out;
    }
    for (Map.Entry<String, Node> e : fields(map, path, null).entrySet()) {
      String key = path + "." + e.getKey();
      if (!PARAM_NAME.matcher(e.getKey()).matches()) {
        error(key, "an environment variable name must be letters, digits and '_'");
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

  private java.util.Optional<JobSpec.SecretRef> secretRef(MappingNode ref, String key) {
    Node inner = fields(ref, key, Set.of("secretRef")).get("secretRef");
    if (!(inner instanceof MappingNode refFields)) {
      error(key + ".secretRef", "must be a mapping with name and key");
      return java.util.Optional.empty();
    }
    Map<String, Node> rf = fields(refFields, key + ".secretRef", Set.of("name", "key"));
    String secret = requiredString(rf, "name", key + ".secretRef.name");
    String secretKey = requiredString(rf, "key", key + ".secretRef.key");
    return secret == null || secretKey == null ? java.util.Optional.empty() : java.util.Optional.of(new JobSpec.SecretRef(secret, secretKey));
  }

  private String requiredString(Map<String, Node> fields, String key, String path) {
    Node node = fields.get(key);
    if (node == null || isNull(node)) {
      error(path, "missing required field");
      return null;
    }
    return scalar(node, path);
  }

  private String optionalString(Node node, String path) {
    return node == null || isNull(node) ? null : scalar(node, path);
  }

  private String scalar(Node node, String path) {
    if (node instanceof ScalarNode s) {
      return s.getValue();
    }
    error(path, "must be a single value, not a " + (node instanceof MappingNode ? "mapping" : "list"));
    return null;
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode s && s.getTag().getValue().endsWith(":null");
  }

  private static String keyText(Node key) {
    return key instanceof ScalarNode s ? s.getValue() : key.toString();
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
