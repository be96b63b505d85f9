package dev.baton.template;

import dev.baton.expressions.Expressions;
import dev.baton.template.Placeholders.BadRef;
import dev.baton.template.Placeholders.ItemRef;
import dev.baton.template.Placeholders.OutputRef;
import dev.baton.template.Placeholders.ParamRef;
import dev.baton.template.Placeholders.Ref;
import dev.baton.template.Placeholders.RunStatusRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks what crosses fields: unique job names; {@code dependsOn} names jobs that exist and form no
 * cycle; every {@code ${...}} reference names a declared parameter, or an output declared by a job
 * this one depends on (directly or not); {@code when} and {@code forEach} compile as CEL and give a
 * boolean and a list.
 */
final class TemplateValidator {
  private final TemplateParser parser;
  private final Composition composition;

  /** {@code composition}: the templates a {@code run:} may name (null: not checked). */
  TemplateValidator(TemplateParser parser, Composition composition) {
    this.parser = parser;
    this.composition = composition;
  }

  void validate(Template template) {
    Map<String, Integer> position = new HashMap<>();
    List<JobSpec> jobs = template.jobs();
    boolean duplicates = false;
    for (int i = 0; i < jobs.size(); i++) {
      Integer first = position.putIfAbsent(jobs.get(i).name(), i);
      if (first != null) {
        parser.error(
            "jobs[" + i + "].name",
            "duplicate job name '" + jobs.get(i).name() + "' (also jobs[" + first + "])");
        duplicates = true;
      }
    }
    if (duplicates) {
      return; // which job a name means is unclear: checks of dependencies and references would
      // report made-up errors
    }
    if (template.onExit() != null && position.containsKey(template.onExit().name())) {
      parser.error(
          "onExit.name",
          "the exit handler's name '" + template.onExit().name() + "' is also a job's");
    }
    if (!dependenciesExist(jobs, position) || hasCycle(jobs, position)) {
      return;
    }
    Map<String, Set<String>> ancestors = ancestors(jobs);
    for (int i = 0; i < jobs.size(); i++) {
      checkJob(template, jobs.get(i), "jobs[" + i + "]", ancestors.get(jobs.get(i).name()), false);
    }
    if (template.onExit() != null) {
      checkJob(template, template.onExit(), "onExit", Set.of(), true);
    }
    new ArtifactChecks(parser).check(template, ancestors);
    checkOutputs(template);
    checkTenant(template);
    checkRules(template);
    if (composition != null) {
      composition.check(template, parser);
    }
  }

  /**
   * The run's outputs: each refers to outputs of the template's jobs (any job: they are read when
   * the run has succeeded) or to params.
   */
  private void checkOutputs(Template t) {
    Set<String> all = new HashSet<>();
    t.jobs().forEach(j -> all.add(j.name()));
    JobSpec none =
        new JobSpec(
            "outputs", List.of(), null, Map.of(), List.of(), List.of(), null, null, 0, null, null,
            null, null, null, null, null, null, null, null, null, null);
    t.outputs()
        .forEach(
            (name, value) -> {
              if (ArtifactSpec.exactly(value).isPresent()) {
                // passed up to the parent's run: job as its artifact NAME (ArtifactChecks)
                if (!ArtifactSpec.isName(name)) {
                  parser.error(
                      "outputs." + name,
                      "an output that passes an artifact up is the artifact's name there: letters,"
                          + " digits, '_', '.', '-', at most 63");
                }
                return;
              }
              checkRefs(t, none, all, false, value, "outputs." + name);
            });
  }

  /** The tenant expression refers to params only (it is resolved when the run starts). */
  private void checkTenant(Template t) {
    if (t.tenant() == null) {
      return;
    }
    for (Ref ref : Placeholders.references(t.tenant())) {
      if (!(ref instanceof ParamRef)) {
        parser.error("tenant", "a tenant is known when the run starts: use ${params.NAME} only");
        return;
      }
    }
    JobSpec none =
        new JobSpec(
            "tenant", List.of(), null, Map.of(), List.of(), List.of(), null, null, 0, null, null,
            null, null, null, null, null, null, null, null, null, null);
    checkRefs(t, none, Set.of(), false, t.tenant(), "tenant");
  }

  /** Trigger rules (see {@link RuleChecks}), and what a schedule needs of the params. */
  private void checkRules(Template t) {
    new RuleChecks(parser).check(t);
    if (t.schedule() != null) {
      t.params().values().stream()
          .filter(ParamSpec::required)
          .findFirst()
          .ifPresent(
              spec ->
                  parser.error(
                      "schedule",
                      "a scheduled run has no trigger to give required parameter '"
                          + spec.name()
                          + "': give it a default"));
    }
  }

  private void checkEventExpression(String expression, String path) {
    new RuleChecks(parser).checkEventExpression(expression, path);
  }

  private boolean dependenciesExist(List<JobSpec> jobs, Map<String, Integer> position) {
    boolean ok = true;
    for (int i = 0; i < jobs.size(); i++) {
      List<String> deps = jobs.get(i).dependsOn();
      for (int d = 0; d < deps.size(); d++) {
        String path = "jobs[" + i + "].dependsOn[" + d + "]";
        if (!position.containsKey(deps.get(d))) {
          parser.error(
              path,
              "unknown job '"
                  + deps.get(d)
                  + "' (jobs: "
                  + String.join(", ", position.keySet())
                  + ")");
          ok = false;
        } else if (deps.get(d).equals(jobs.get(i).name())) {
          parser.error(path, "a job cannot depend on itself");
          ok = false;
        }
      }
    }
    return ok;
  }

  /** Depth-first search; reports the first cycle found as a path a -> b -> a. */
  private boolean hasCycle(List<JobSpec> jobs, Map<String, Integer> position) {
    Map<String, Integer> state = new HashMap<>(); // 1 visiting, 2 done
    for (JobSpec job : jobs) {
      List<String> path = new ArrayList<>();
      if (visit(job.name(), jobs, position, state, path)) {
        String first = path.get(path.size() - 1);
        List<String> cycle = path.subList(path.indexOf(first), path.size());
        int index = position.get(cycle.get(0));
        parser.error(
            "jobs[" + index + "].dependsOn", "dependency cycle: " + String.join(" -> ", cycle));
        return true;
      }
    }
    return false;
  }

  private boolean visit(
      String name,
      List<JobSpec> jobs,
      Map<String, Integer> position,
      Map<String, Integer> state,
      List<String> path) {
    Integer s = state.get(name);
    path.add(name);
    if (s != null && s == 1) {
      return true;
    }
    if (s != null) {
      path.remove(path.size() - 1);
      return false;
    }
    state.put(name, 1);
    for (String dep : jobs.get(position.get(name)).dependsOn()) {
      if (visit(dep, jobs, position, state, path)) {
        return true;
      }
    }
    state.put(name, 2);
    path.remove(path.size() - 1);
    return false;
  }

  static Map<String, Set<String>> ancestors(List<JobSpec> jobs) {
    Map<String, JobSpec> byName = new LinkedHashMap<>();
    jobs.forEach(j -> byName.put(j.name(), j));
    Map<String, Set<String>> out = new HashMap<>();
    for (JobSpec job : jobs) {
      Set<String> seen = new HashSet<>();
      List<String> stack = new ArrayList<>(job.dependsOn());
      while (!stack.isEmpty()) {
        String n = stack.remove(stack.size() - 1);
        if (seen.add(n)) {
          stack.addAll(byName.get(n).dependsOn());
        }
      }
      out.put(job.name(), seen);
    }
    return out;
  }

  private void checkJob(
      Template t, JobSpec job, String path, Set<String> ancestors, boolean exitHandler) {
    for (int a = 0; a < job.command().size(); a++) {
      checkRefs(t, job, ancestors, exitHandler, job.command().get(a), path + ".command[" + a + "]");
    }
    for (Map.Entry<String, String> e : job.env().entrySet()) {
      checkRefs(t, job, ancestors, exitHandler, e.getValue(), path + ".env." + e.getKey());
    }
    if (job.image() != null) {
      checkRefs(t, job, ancestors, exitHandler, job.image(), path + ".image");
    }
    if (job.cache() != null) {
      checkRefs(t, job, ancestors, exitHandler, job.cache().key(), path + ".cache.key");
    }
    if (job.run() != null) {
      for (Map.Entry<String, String> e : job.run().params().entrySet()) {
        checkRefs(t, job, ancestors, exitHandler, e.getValue(), path + ".run.params." + e.getKey());
      }
    }
    if (job.when() != null) {
      checkExpression(
          job.when(), path + ".when", Expressions.ResultKind.BOOL, "must give true or false");
    }
    if (job.forEach() != null && ArtifactSpec.forEachOver(job.forEach()).isEmpty()) {
      checkExpression(
          job.forEach(), path + ".forEach", Expressions.ResultKind.LIST, "forEach over a non-list");
    }
    if (job.waitFor() != null && job.waitFor().event() != null) {
      WaitSpec.EventWait e = job.waitFor().event();
      String at = path + ".wait.event";
      checkEventExpression(e.key(), at + ".key");
      checkEventExpression(e.filter(), at + ".filter");
      e.outputs().forEach((name, expr) -> checkEventExpression(expr, at + ".outputs." + name));
      if (e.match() != null) {
        checkRefs(t, job, ancestors, exitHandler, e.match(), at + ".match");
      }
    }
    if (job.waitFor() != null && job.waitFor().approval() != null) {
      checkRefs(
          t,
          job,
          ancestors,
          exitHandler,
          job.waitFor().approval().prompt(),
          path + ".wait.approval");
    }
  }

  private void checkExpression(
      String expression, String path, Expressions.ResultKind wanted, String wrongKind) {
    try {
      Expressions.ResultKind kind = Expressions.check(expression);
      if (kind != wanted && kind != Expressions.ResultKind.DYNAMIC) {
        parser.error(
            path,
            wrongKind
                + ": '"
                + Expressions.shortened(expression)
                + "' gives "
                + kind.name().toLowerCase(Locale.ROOT));
      }
    } catch (Expressions.InvalidExpressionException e) {
      parser.error(
          path, "bad expression '" + Expressions.shortened(expression) + "': " + e.getMessage());
    }
  }

  private void checkRefs(
      Template t,
      JobSpec job,
      Set<String> ancestors,
      boolean exitHandler,
      String text,
      String path) {
    for (Ref ref : Placeholders.references(text)) {
      if (ref instanceof ParamRef p && !t.params().containsKey(p.param())) {
        parser.error(
            path,
            "unknown parameter '"
                + p.param()
                + "' in ${params."
                + p.param()
                + "}"
                + (t.params().isEmpty()
                    ? " (the template declares no params)"
                    : " (declared: " + String.join(", ", t.params().keySet()) + ")"));
      } else if (ref instanceof OutputRef o) {
        checkOutputRef(t, ancestors, exitHandler, o, path);
      } else if (ref instanceof Placeholders.ArtifactRef) {
        parser.error(
            path,
            "an artifact is passed as a file, not as text: name it in artifacts.in and read"
                + " $BATON_ARTIFACTS/in/NAME");
      } else if (ref instanceof ItemRef && job.forEach() == null) {
        parser.error(path, "${item} is only known in a job with forEach");
      } else if (ref instanceof RunStatusRef && !exitHandler) {
        parser.error(path, "${run.status} is only known in the onExit handler");
      } else if (ref instanceof BadRef b) {
        parser.error(
            path,
            "unknown reference ${"
                + b.text()
                + "} (use ${params.NAME}, ${jobs.JOB.outputs.KEY}, ${run.id} or ${item})");
      }
    }
  }

  private void checkOutputRef(
      Template t, Set<String> ancestors, boolean exitHandler, OutputRef o, String path) {
    String ref = "${jobs." + o.job() + ".outputs." + o.key() + "}";
    JobSpec producer =
        t.jobs().stream().filter(j -> j.name().equals(o.job())).findFirst().orElse(null);
    if (producer == null) {
      parser.error(path, "unknown job '" + o.job() + "' in " + ref);
    } else if (exitHandler) {
      parser.error(
          path,
          "the exit handler runs whatever the outcome, so "
              + ref
              + " may not exist; pass it through a param instead");
    } else if (!ancestors.contains(o.job())) {
      parser.error(
          path,
          "job '"
              + o.job()
              + "' does not run before this job (add it to dependsOn), so "
              + ref
              + " cannot be known yet");
    } else if (producer.runsTemplate()) {
      // The child template declares them: known when the templates are applied together.
      Set<String> declared =
          composition == null
              ? null
              : composition.outputsOf(producer.run().template(), t).orElse(null);
      if (declared != null && !declared.contains(o.key())) {
        parser.error(
            path,
            "template '"
                + producer.run().template()
                + "', which job '"
                + o.job()
                + "' runs, declares no output '"
                + o.key()
                + "'"
                + (declared.isEmpty()
                    ? " (it declares no outputs)"
                    : " (declared: " + String.join(", ", declared) + ")"));
      }
    } else if (!producer.outputs().contains(o.key())) {
      parser.error(
          path,
          "job '"
              + o.job()
              + "' does not declare output '"
              + o.key()
              + "'"
              + (producer.outputs().isEmpty()
                  ? " (it declares no outputs)"
                  : " (declared: " + String.join(", ", producer.outputs()) + ")"));
    }
  }
}
