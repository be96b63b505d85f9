package dev.baton.template;

import java.io.StringReader;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a template's YAML into a {@link Template}, remembering the line of every field so that each
 * error can point at it. Structural errors (wrong types, unknown or missing fields) are found here;
 * cross-references are checked by {@link TemplateValidator}.
 */
final class TemplateParser extends YamlFields {
  static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  static final Pattern OUTPUT_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
  private static final Set<String> TOP_FIELDS =
      Set.of(
          "name",
          "version",
          "description",
          "params",
          "jobs",
          "timeout",
          "sla",
          "onExit",
          "maxConcurrentRuns",
          "on",
          "schedule",
          "outputs",
          "tenant",
          "priority");
  private static final Set<String> RULE_FIELDS =
      Set.of("topic", "filter", "params", "idempotencyKey", "webhook");
  static final Pattern HOOK_PATH = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Set<String> SCHEDULE_FIELDS = Set.of("cron", "timezone", "every", "catchUp");
  private static final Set<String> PARAM_FIELDS = Set.of("required", "default", "description");

  TemplateParser(String source) {
    super(source);
  }

  /** The template, or null when the YAML is too broken to build one (errors say why). */
  Template parse(String text) {
    Node root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      // The context mark is where the broken construct starts (an unclosed quote), the problem mark
      // where it broke.
      var mark = e.getContextMark() != null ? e.getContextMark() : e.getProblemMark();
      int line = mark != null ? mark.getLine() + 1 : 1;
      String context = e.getContext() != null ? e.getContext() + ": " : "";
      errorAtLine(line, "bad YAML: " + context + e.getProblem());
      return null;
    } catch (RuntimeException e) {
      errorAtLine(1, "bad YAML: " + e.getMessage());
      return null;
    }
    if (!(root instanceof MappingNode top)) {
      errorAtLine(1, "a template must be a YAML mapping with name, version and jobs");
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
    JobParser jobParser = new JobParser(this);
    List<JobSpec> jobs = jobParser.jobs(fields.get("jobs"));
    Duration timeout = duration(fields.get("timeout"), "timeout");
    JobSpec onExit = jobParser.onExit(fields.get("onExit"));
    int maxConcurrentRuns = nonNegativeInt(fields.get("maxConcurrentRuns"), "maxConcurrentRuns", 0);
    List<TriggerRule> on = rules(fields.get("on"));
    Schedule schedule = schedule(fields.get("schedule"));
    Duration sla = sla(fields.get("sla"), "sla");
    Map<String, String> outputs = stringMap(fields.get("outputs"), "outputs");
    String tenant = optionalString(fields.get("tenant"), "tenant");
    int priority =
        fields.get("priority") == null ? 0 : integer(fields.get("priority"), "priority", 0);
    if (Math.abs(priority) > Template.MAX_PRIORITY) {
      error(
          "priority",
          "must be from -"
              + Template.MAX_PRIORITY
              + " to "
              + Template.MAX_PRIORITY
              + ", got "
              + priority);
    }
    if (tenant != null && tenant.isBlank()) {
      error("tenant", "must not be empty: a tenant name or a reference such as ${params.team}");
    }
    for (String key : outputs.keySet()) {
      if (!OUTPUT_KEY.matcher(key).matches()) {
        error(
            "outputs." + key,
            "an output key must be letters, digits, '_', '.' or '-', got '" + key + "'");
      }
    }
    if (name == null) {
      return null;
    }
    return new Template(
        name,
        version,
        description == null ? "" : description,
        params,
        jobs,
        timeout,
        onExit,
        maxConcurrentRuns,
        on,
        schedule,
        sla,
        outputs,
        tenant,
        priority);
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
      if (f.containsKey("webhook")) {
        if (f.size() > 1) {
          error(path, "a webhook rule has only webhook: {path, secret, signature, filter, ...}");
        }
        TriggerRule hook = new WebhookParser(this).rule(f.get("webhook"), path + ".webhook");
        if (hook != null) {
          rules.add(hook);
        }
        continue;
      }
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
    Map<String, Node> f =
        mapping(
            node, "schedule", SCHEDULE_FIELDS, "a mapping: {cron, timezone, catchUp} or {every}");
    if (f == null) {
      return null;
    }
    String cron = optionalString(f.get("cron"), "schedule.cron");
    Duration every = duration(f.get("every"), "schedule.every");
    String zoneText = optionalString(f.get("timezone"), "schedule.timezone");
    boolean catchUp = bool(f.get("catchUp"), "schedule.catchUp", false);
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
    ZoneId zone = ZoneOffset.UTC;
    if (zoneText != null) {
      try {
        zone = ZoneId.of(zoneText);
      } catch (DateTimeException e) {
        error("schedule.timezone", "unknown time zone '" + zoneText + "'");
      }
    }
    return every == null && cron == null ? null : new Schedule(cron, zone, every, catchUp);
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
    String defaultValue =
        f.containsKey("default") ? scalar(f.get("default"), path + ".default") : null;
    String requiredText =
        f.containsKey("required") ? scalar(f.get("required"), path + ".required") : null;
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
}
