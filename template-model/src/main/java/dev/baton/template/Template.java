package dev.baton.template;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed, validated workflow template. Immutable; a run is pinned to one (name, version). {@code
 * timeout} (null: none) bounds the whole run; {@code onExit} (null: none) runs once when the run
 * ends; {@code maxConcurrentRuns} (0: no limit) queues runs beyond it; {@code on} lists the
 * domain-event topics that start runs, and {@code schedule} (null: none) starts them by the clock;
 * {@code sla} (null: none) is how long a run should take from its trigger: a run still going past
 * it is reported (RUN_SLA_MISSED), not stopped. {@code outputs} are what a succeeded run gives
 * (name to a reference such as {@code ${jobs.sum.outputs.total}}): a parent's job that runs this
 * template as a child gets them as its outputs. {@code tenant} (null: none) gives the tenant of a
 * run whose trigger names none, such as {@code ${params.team}}; {@code priority} orders the jobs of
 * its runs within their tenant when job slots are shared (a trigger's priority comes first).
 */
public record Template(
    String name,
    int version,
    String description,
    Map<String, ParamSpec> params,
    List<JobSpec> jobs,
    Duration timeout,
    JobSpec onExit,
    int maxConcurrentRuns,
    List<TriggerRule> on,
    Schedule schedule,
    Duration sla,
    Map<String, String> outputs,
    String tenant,
    int priority) {

  /** Priorities run from -1000 to 1000. */
  public static final int MAX_PRIORITY = 1000;

  public Template {
    outputs = Ordered.copy(outputs);
    params = Ordered.copy(params);
    jobs = List.copyOf(jobs);
    on = on == null ? List.of() : List.copyOf(on);
  }

  /**
   * A template written in Java: {@code Template.named("order").version(3).job("charge", j ->
   * j.command("charge")).build()}. What {@link TemplateBuilder#build()} returns is what the YAML
   * parser returns for the same document, checked by the same validator.
   */
  public static TemplateBuilder named(String name) {
    return new TemplateBuilder(name);
  }

  /**
   * This template as YAML that {@link Templates#parse} reads back as an equal template: every field
   * it holds, defaults left out, jobs and maps in the order they were written.
   */
  public String toYaml() {
    return TemplateYaml.write(this);
  }

  public Optional<JobSpec> job(String jobName) {
    if (onExit != null && onExit.name().equals(jobName)) {
      return Optional.of(onExit);
    }
    return jobs.stream().filter(j -> j.name().equals(jobName)).findFirst();
  }

  /** The key of this version in the template store. */
  public String storeKey() {
    return storeKey(name, version);
  }

  public static String storeKey(String name, int version) {
    return name + "@" + version;
  }
}
