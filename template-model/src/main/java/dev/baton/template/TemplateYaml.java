package dev.baton.template;

import dev.baton.settings.DurationText;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Represent;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Writes a template as YAML: the document the parser reads, built from the model ({@link
 * JobDocument} writes each job). Fields at their defaults are left out; a job's {@code dependsOn}
 * is written unless it is the job listed before it, which the parser would give it anyway.
 */
final class TemplateYaml {
  /** The most characters of items a list or mapping written on one line holds. */
  private static final int FLOW_WIDTH = 60;

  private TemplateYaml() {}

  static String write(Template t) {
    return dump(document(t));
  }

  /** A document of mappings, lists and strings as block YAML, multi-line text as literal blocks. */
  static String dump(Map<String, Object> document) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setIndicatorIndent(2);
    options.setIndentWithIndicator(true);
    options.setWidth(100);
    options.setSplitLines(false);
    return new Yaml(new TextRepresenter(options), options).dump(document);
  }

  private static Map<String, Object> document(Template t) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("name", t.name());
    doc.put("version", t.version());
    putText(doc, "description", t.description().isEmpty() ? null : t.description());
    if (!t.params().isEmpty()) {
      Map<String, Object> params = new LinkedHashMap<>();
      t.params().forEach((name, p) -> params.put(name, param(p)));
      doc.put("params", params);
    }
    if (!t.on().isEmpty()) {
      doc.put("on", t.on().stream().map(TemplateYaml::rule).toList());
    }
    if (t.schedule() != null) {
      doc.put("schedule", schedule(t.schedule()));
    }
    putDuration(doc, "timeout", t.timeout());
    putSla(doc, t.sla());
    if (t.maxConcurrentRuns() != 0) {
      doc.put("maxConcurrentRuns", t.maxConcurrentRuns());
    }
    putText(doc, "tenant", t.tenant());
    if (t.priority() != 0) {
      doc.put("priority", t.priority());
    }
    List<Object> jobs = new ArrayList<>();
    String previous = null;
    for (JobSpec job : t.jobs()) {
      jobs.add(JobDocument.of(job, previous));
      previous = job.name();
    }
    doc.put("jobs", jobs);
    if (t.onExit() != null) {
      doc.put("onExit", JobDocument.of(t.onExit(), null));
    }
    putMap(doc, "outputs", t.outputs());
    return doc;
  }

  private static Map<String, Object> param(ParamSpec p) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (p.defaultValue() != null) {
      out.put("default", p.defaultValue());
    } else {
      out.put("required", p.required());
    }
    putText(out, "description", p.description().isEmpty() ? null : p.description());
    return out;
  }

  private static Map<String, Object> rule(TriggerRule rule) {
    Map<String, Object> out = new LinkedHashMap<>();
    TriggerRule.Webhook hook = rule.webhook();
    if (hook == null) {
      out.put("topic", rule.topic());
      putRuleMatching(out, rule);
      return out;
    }
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("path", hook.path());
    h.put("secret", hook.secret() == null ? "none" : secretRef(hook.secret()));
    if (hook.secret() != null
        && !hook.signatureHeader().equals(WebhookParser.DEFAULT_SIGNATURE_HEADER)) {
      h.put("signature", Map.of("header", hook.signatureHeader()));
    }
    putRuleMatching(h, rule);
    out.put("webhook", h);
    return out;
  }

  private static void putRuleMatching(Map<String, Object> out, TriggerRule rule) {
    putText(out, "filter", rule.filter());
    putMap(out, "params", rule.params());
    putText(out, "idempotencyKey", rule.idempotencyKey());
  }

  private static Map<String, Object> schedule(Schedule s) {
    Map<String, Object> out = new LinkedHashMap<>();
    putText(out, "cron", s.cron());
    if (s.cron() != null && !s.zone().equals(ZoneOffset.UTC)) {
      out.put("timezone", s.zone().getId());
    }
    putDuration(out, "every", s.every());
    if (s.catchUp()) {
      out.put("catchUp", true);
    }
    return out;
  }

  static Map<String, Object> secretRef(JobSpec.SecretRef ref) {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("name", ref.name());
    inner.put("key", ref.key());
    return Map.of("secretRef", inner);
  }

  static void putText(Map<String, Object> out, String key, String value) {
    if (value != null) {
      out.put(key, value);
    }
  }

  static void putDuration(Map<String, Object> out, String key, Duration value) {
    if (value != null) {
      out.put(key, DurationText.format(value));
    }
  }

  static void putSla(Map<String, Object> out, Duration sla) {
    if (sla != null) {
      out.put("sla", Map.of("duration", DurationText.format(sla)));
    }
  }

  static void putMap(Map<String, Object> out, String key, Map<String, ?> value) {
    if (!value.isEmpty()) {
      out.put(key, new LinkedHashMap<>(value));
    }
  }

  static void putList(Map<String, Object> out, String key, List<?> value) {
    if (!value.isEmpty()) {
      out.put(key, value);
    }
  }

  /**
   * Strings that span lines as literal blocks ({@code |}), so scripts read as written; short lists
   * and mappings of single-line values on one line ({@code [echo, hello]}), as people write them.
   */
  private static final class TextRepresenter extends Representer {
    TextRepresenter(DumperOptions options) {
      super(options);
      Represent plain = representers.get(String.class);
      representers.put(
          String.class,
          data -> {
            String text = (String) data;
            return text.contains("\n")
                ? representScalar(Tag.STR, text, DumperOptions.ScalarStyle.LITERAL)
                : plain.representData(data);
          });
    }

    @Override
    protected Node representSequence(
        Tag tag, Iterable<?> sequence, DumperOptions.FlowStyle flowStyle) {
      List<Object> items = new ArrayList<>();
      sequence.forEach(items::add);
      return super.representSequence(tag, sequence, styleOf(items));
    }

    @Override
    protected Node representMapping(Tag tag, Map<?, ?> mapping, DumperOptions.FlowStyle flowStyle) {
      List<Object> items = new ArrayList<>(mapping.keySet());
      items.addAll(mapping.values());
      boolean small = mapping.size() <= 3;
      return super.representMapping(
          tag, mapping, small ? styleOf(items) : DumperOptions.FlowStyle.BLOCK);
    }

    /** Flow when every item is a short single-line value and all fit well within a line. */
    private static DumperOptions.FlowStyle styleOf(List<Object> items) {
      int length = 0;
      for (Object item : items) {
        if (!(item instanceof String || item instanceof Number || item instanceof Boolean)
            || item.toString().contains("\n")) {
          return DumperOptions.FlowStyle.BLOCK;
        }
        length += item.toString().length() + 2;
      }
      return length <= FLOW_WIDTH ? DumperOptions.FlowStyle.FLOW : DumperOptions.FlowStyle.BLOCK;
    }
  }
}
