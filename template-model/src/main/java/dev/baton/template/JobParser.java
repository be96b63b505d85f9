package dev.baton.template;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a template's {@code jobs} and {@code onExit}: each job with its retry, timeouts and
 * Kubernetes options.
 */
final class JobParser extends YamlFields {
  private static final Set<String> JOB_FIELDS =
      Set.of(
          "name",
          "command",
          "image",
          "env",
          "outputs",
          "dependsOn",
          "when",
          "forEach",
          "maxParallel",
          "retry",
          "timeout",
          "startTimeout",
          "runtime",
          "kubernetes",
          "wait",
          "sla",
          "cache",
          "run",
          "http",
          "service",
          "emit",
          "sleep",
          "artifacts");

  /** The exit handler runs once, after everything else: no ordering, condition or fan-out. */
  private static final Set<String> EXIT_FIELDS =
      JOB_FIELDS.stream()
          .filter(
              f ->
                  !Set.of(
                          "dependsOn",
                          "when",
                          "forEach",
                          "maxParallel",
                          "wait",
                          "cache",
                          "run",
                          "http",
                          "service",
                          "emit",
                          "sleep",
                          "artifacts")
                      .contains(f))
          .collect(Collectors.toUnmodifiableSet());

  /** Fields of a job that runs something, which a wait step must not have. */
  private static final List<String> WAIT_EXCLUDES =
      List.of(
          "command",
          "image",
          "env",
          "outputs",
          "forEach",
          "maxParallel",
          "timeout",
          "startTimeout",
          "runtime",
          "kubernetes",
          "artifacts");

  /**
   * Fields of a job that runs something itself, which a job that runs a template must not have. Its
   * {@code startTimeout} bounds the wait for the child run to exist.
   */
  private static final List<String> RUN_EXCLUDES =
      List.of("command", "image", "env", "outputs", "runtime", "kubernetes", "wait", "artifacts");

  private static final Set<String> RUN_FIELDS = Set.of("template", "params");
  private static final Set<String> CACHE_FIELDS = Set.of("key", "ttl");

  private static final Set<String> RUNTIMES = Set.of("local", "kubernetes");
  private static final Set<String> RETRY_FIELDS = Set.of("limit", "backoff", "on");
  private static final Set<String> BACKOFF_FIELDS = Set.of("initial", "factor", "max");

  /** Retry backoff when a template gives none. */
  static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofSeconds(1);

  static final double DEFAULT_BACKOFF_FACTOR = 2;
  static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(5);

  JobParser(YamlFields shared) {
    super(shared);
  }

  List<JobSpec> jobs(Node node) {
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
      error(
          "jobs",
          "has "
              + seq.getValue().size()
              + " jobs; a template may have at most "
              + Templates.MAX_JOBS
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

  JobSpec onExit(Node node) {
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
  JobSpec job(MappingNode map, String path, Set<String> allowed, String previous) {
    Map<String, Node> f = fields(map, path, allowed);
    String name = requiredString(f, "name", path + ".name");
    if (name != null && !TemplateParser.NAME.matcher(name).matches()) {
      error(
          path + ".name",
          "must be lower-case letters, digits and '-' (at most 63), got '" + name + "'");
    }
    WaitParser.Parsed wait = new WaitParser(this).parse(f.get("wait"), path + ".wait");
    if (wait != null) {
      for (String field : WAIT_EXCLUDES) {
        if (f.containsKey(field)) {
          error(
              path + "." + field,
              "a wait step runs nothing: it has no "
                  + field
                  + " (its outputs come from wait, its timeout is wait.timeout)");
        }
      }
    }
    RunSpec run = run(f.get("run"), path + ".run");
    if (run != null) {
      for (String field : RUN_EXCLUDES) {
        if (f.containsKey(field)) {
          error(
              path + "." + field,
              "a job with run starts a run of template '"
                  + run.template()
                  + "': it has no "
                  + field
                  + " (its outputs are that template's outputs)");
        }
      }
    }
    CacheSpec cache = cache(f.get("cache"), path + ".cache");
    if (cache != null && (wait != null || f.containsKey("forEach"))) {
      error(
          path + ".cache",
          wait != null
              ? "a wait step runs nothing to cache"
              : "a job with forEach is not cached; cache the instances' work in the template each"
                  + " instance runs (run:)");
    }
    StepAction action = new ActionParser(this).parse(f, path);
    boolean runsSomething = wait == null && run == null && !ActionParser.declares(f);
    List<String> command =
        runsSomething ? stringList(f.get("command"), path + ".command", true) : List.of();
    String image = optionalString(f.get("image"), path + ".image");
    ArtifactSpec artifacts =
        new ArtifactParser(this).parse(f.get("artifacts"), path + ".artifacts");
    if (!runsSomething && run == null && wait == null && f.containsKey("artifacts")) {
      error(path + ".artifacts", "only a job that runs a command or an image has artifacts");
    }
    Map<String, JobSpec.SecretRef> secretEnv = new LinkedHashMap<>();
    Map<String, String> env = stringMap(f.get("env"), path + ".env", secretEnv);
    List<String> outputs =
        wait != null && wait.waitFor() != null
            ? WaitParser.outputsOf(wait.waitFor())
            : action instanceof StepAction.Http h
                ? ActionParser.outputsOf(h, f.get("outputs"), path, this)
                : outputs(f.get("outputs"), path + ".outputs");
    List<String> dependsOn =
        f.containsKey("dependsOn")
            ? stringList(f.get("dependsOn"), path + ".dependsOn", false)
            : previous == null ? List.of() : List.of(previous);
    String when = optionalString(f.get("when"), path + ".when");
    String forEach = optionalString(f.get("forEach"), path + ".forEach");
    int maxParallel = nonNegativeInt(f.get("maxParallel"), path + ".maxParallel", 0);
    if (f.containsKey("maxParallel") && forEach == null) {
      error(path + ".maxParallel", "only a job with forEach has instances to limit");
    }
    RetrySpec retry = retry(f.get("retry"), path + ".retry");
    Duration timeout =
        wait == null ? duration(f.get("timeout"), path + ".timeout") : wait.timeout();
    Duration startTimeout = duration(f.get("startTimeout"), path + ".startTimeout");
    if (startTimeout != null && (startTimeout.isZero() || startTimeout.isNegative())) {
      error(path + ".startTimeout", "must be more than 0");
    }
    String runtime = optionalString(f.get("runtime"), path + ".runtime");
    if (runtime != null && !RUNTIMES.contains(runtime)) {
      error(path + ".runtime", "must be local or kubernetes, got '" + runtime + "'");
    }
    KubernetesOptions pod = new PodParser(this).pod(f.get("kubernetes"), path + ".kubernetes");
    Duration sla = sla(f.get("sla"), path + ".sla");
    if ("kubernetes".equals(runtime) && image == null) {
      error(path + ".image", "a job on the kubernetes runtime needs an image");
    }
    return name == null
        ? null
        : new JobSpec(
            name,
            command,
            image,
            env,
            outputs,
            dependsOn,
            when,
            forEach,
            maxParallel,
            retry,
            timeout,
            runtime,
            pod,
            secretEnv,
            startTimeout,
            wait == null ? null : wait.waitFor(),
            sla,
            cache,
            run,
            action,
            artifacts);
  }

  private RunSpec run(Node node, String path) {
    Map<String, Node> f = mapping(node, path, RUN_FIELDS, "a mapping with template and params");
    if (f == null) {
      return null;
    }
    String template = requiredString(f, "template", path + ".template");
    if (template != null && !TemplateParser.NAME.matcher(template).matches()) {
      error(path + ".template", "must name a template, got '" + template + "'");
    }
    Map<String, String> params = stringMap(f.get("params"), path + ".params");
    return template == null ? null : new RunSpec(template, params);
  }

  private CacheSpec cache(Node node, String path) {
    Map<String, Node> f = mapping(node, path, CACHE_FIELDS, "a mapping with key and ttl");
    if (f == null) {
      return null;
    }
    String key = requiredString(f, "key", path + ".key");
    if (key != null && key.isBlank()) {
      error(path + ".key", "must not be empty");
    }
    Duration ttl = orDefault(duration(f.get("ttl"), path + ".ttl"), CacheSpec.DEFAULT_TTL);
    if (ttl.isZero() || ttl.isNegative() || ttl.compareTo(CacheSpec.MAX_TTL) > 0) {
      error(path + ".ttl", "must be more than 0 and at most " + CacheSpec.MAX_TTL.toDays() + "d");
    }
    return key == null ? null : new CacheSpec(key, ttl);
  }

  /** Output keys: letters, digits, '_', '.' or '-', each once. */
  private List<String> outputs(Node node, String path) {
    List<String> outputs = stringList(node, path, false);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < outputs.size(); i++) {
      if (!TemplateParser.OUTPUT_KEY.matcher(outputs.get(i)).matches()) {
        error(
            path + "[" + i + "]",
            "an output key must be letters, digits, '_', '.' or '-', got '" + outputs.get(i) + "'");
      } else if (!seen.add(outputs.get(i))) {
        error(path + "[" + i + "]", "duplicate output '" + outputs.get(i) + "'");
      }
    }
    return outputs;
  }

  RetrySpec retry(Node node, String path) {
    Map<String, Node> f = mapping(node, path, RETRY_FIELDS, "a mapping with limit, backoff and on");
    if (f == null) {
      return null;
    }
    int limit = 0;
    if (!f.containsKey("limit")) {
      error(path + ".limit", "missing required field");
    } else {
      limit = integer(f.get("limit"), path + ".limit", 0);
      if (limit < 0) {
        error(path + ".limit", "must be 0 or more, got " + limit);
      }
    }
    Duration initial = DEFAULT_BACKOFF_INITIAL;
    double factor = DEFAULT_BACKOFF_FACTOR;
    Duration max = DEFAULT_BACKOFF_MAX;
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
        error(
            path + ".on[" + i + "]",
            "must be an exit code or one of " + RetrySpec.KINDS + ", got '" + v + "'");
      }
    }
    return new RetrySpec(limit, initial, factor, max, on);
  }
}
