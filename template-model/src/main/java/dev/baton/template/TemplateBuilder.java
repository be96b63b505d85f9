package dev.baton.template;

import dev.baton.settings.DurationText;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A template written in Java ({@link Template#named}). It builds the document a YAML file would
 * hold, field by field in the order they are given, and {@link #build()} reads it with the same
 * parser and validator as {@code baton templates apply}: what it returns is what the YAML gives,
 * and what it refuses is refused with the same field paths ({@code jobs[1].dependsOn}). As in YAML,
 * a job that names no {@code dependsOn} runs after the job added before it.
 */
public final class TemplateBuilder {
  private final String name;
  private final Map<String, Object> doc = new LinkedHashMap<>();
  private final Map<String, Object> params = new LinkedHashMap<>();
  private final List<Object> rules = new ArrayList<>();
  private final List<Object> jobs = new ArrayList<>();
  private final Map<String, Object> outputs = new LinkedHashMap<>();
  private Map<String, Object> onExit;

  TemplateBuilder(String name) {
    this.name = name;
    doc.put("name", name);
  }

  /** Each version of a name is applied once; runs pin the version they start with. */
  public TemplateBuilder version(int version) {
    doc.put("version", version);
    return this;
  }

  public TemplateBuilder description(String text) {
    doc.put("description", text);
    return this;
  }

  /** A run parameter: {@link Param#required()}, {@link Param#withDefault(String)}, ... */
  public TemplateBuilder param(String paramName, Param param) {
    params.put(paramName, param.document());
    return this;
  }

  /** A job, configured by {@code job}; jobs run in the order added unless they say otherwise. */
  public TemplateBuilder job(String jobName, Consumer<JobBuilder> job) {
    JobBuilder b = new JobBuilder(jobName);
    job.accept(b);
    jobs.add(b.document());
    return this;
  }

  /** The job that runs once when a run ends, whatever its end ({@code ${run.status}}). */
  public TemplateBuilder onExit(String jobName, Consumer<JobBuilder> job) {
    JobBuilder b = new JobBuilder(jobName);
    job.accept(b);
    onExit = b.document();
    return this;
  }

  /** Events on a topic or requests to a webhook that start runs: {@link Trigger}. */
  public TemplateBuilder on(Trigger trigger) {
    rules.add(trigger.document());
    return this;
  }

  /** Starts runs at the ticks of a 5-field cron expression in {@code zone}. */
  public TemplateBuilder cron(String expression, ZoneId zone, boolean catchUp) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("cron", expression);
    s.put("timezone", zone.getId());
    s.put("catchUp", catchUp);
    doc.put("schedule", s);
    return this;
  }

  /** Starts a run every {@code period} (ticks aligned to the epoch). */
  public TemplateBuilder every(Duration period, boolean catchUp) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("every", DurationText.format(period));
    s.put("catchUp", catchUp);
    doc.put("schedule", s);
    return this;
  }

  /** Bounds the whole run. */
  public TemplateBuilder timeout(Duration timeout) {
    doc.put("timeout", DurationText.format(timeout));
    return this;
  }

  /** How long a run should take from its trigger; a run past it is reported, not stopped. */
  public TemplateBuilder sla(Duration sla) {
    doc.put("sla", Map.of("duration", DurationText.format(sla)));
    return this;
  }

  /** Runs beyond this many at once wait in a queue. */
  public TemplateBuilder maxConcurrentRuns(int runs) {
    doc.put("maxConcurrentRuns", runs);
    return this;
  }

  /** The tenant of a run whose trigger names none, such as {@code ${params.team}}. */
  public TemplateBuilder tenant(String tenant) {
    doc.put("tenant", tenant);
    return this;
  }

  /** Orders this template's jobs within their tenant when job slots are shared (-1000 to 1000). */
  public TemplateBuilder priority(int priority) {
    doc.put("priority", priority);
    return this;
  }

  /** What a succeeded run gives, such as {@code ${jobs.sum.outputs.total}}. */
  public TemplateBuilder output(String outputName, String reference) {
    outputs.put(outputName, reference);
    return this;
  }

  /**
   * The template, checked as {@code apply} checks it.
   *
   * @throws TemplateBuildException with every error, each naming its field path
   */
  public Template build() {
    try {
      return Templates.parse(source(), TemplateYaml.dump(document()));
    } catch (InvalidTemplateException e) {
      throw new TemplateBuildException(
          e.errors().stream()
              .map(err -> new TemplateError(err.source(), 0, err.field(), err.message()))
              .toList());
    }
  }

  private String source() {
    return "Template.named(\"" + name + "\")";
  }

  private Map<String, Object> document() {
    Map<String, Object> out = new LinkedHashMap<>(doc);
    if (!params.isEmpty()) {
      out.put("params", params);
    }
    if (!rules.isEmpty()) {
      out.put("on", rules);
    }
    out.put("jobs", jobs);
    if (onExit != null) {
      out.put("onExit", onExit);
    }
    if (!outputs.isEmpty()) {
      out.put("outputs", outputs);
    }
    return out;
  }
}
