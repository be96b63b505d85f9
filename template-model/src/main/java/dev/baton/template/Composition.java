package dev.baton.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What a template's {@code run:} jobs need of the templates they run, checked when templates are
 * applied (with the ones applied together and the store's latest versions): the template exists, it
 * declares the params given and gets those it requires, it declares the outputs the parent reads,
 * and no chain of runs comes back to a template on it or goes deeper than {@link
 * RunSpec#MAX_DEPTH}. At run time the engine checks depth again (a template applied later can close
 * a loop).
 */
public final class Composition {
  /** The latest version of a template by name; empty when none is known. */
  public interface Catalog extends Function<String, Optional<Template>> {}

  private final Catalog catalog;
  private final boolean unknownIsError;

  /**
   * {@code unknownIsError}: when false (checking files without the store), a template the catalog
   * does not know is not reported.
   */
  public Composition(Catalog catalog, boolean unknownIsError) {
    this.catalog = catalog;
    this.unknownIsError = unknownIsError;
  }

  void check(Template t, YamlFields errors) {
    for (int i = 0; i < t.jobs().size(); i++) {
      JobSpec job = t.jobs().get(i);
      if (job.run() != null) {
        checkRun(t, job, "jobs[" + i + "].run", errors);
      }
    }
  }

  private void checkRun(Template parent, JobSpec job, String path, YamlFields errors) {
    RunSpec run = job.run();
    Optional<Template> found =
        run.template().equals(parent.name()) ? Optional.of(parent) : catalog.apply(run.template());
    if (found.isEmpty()) {
      if (unknownIsError) {
        errors.error(
            path + ".template",
            "unknown template '"
                + run.template()
                + "' (apply it first, or in the same apply as this one)");
      }
      return;
    }
    Template child = found.get();
    for (String given : run.params().keySet()) {
      if (!child.params().containsKey(given)) {
        errors.error(
            path + ".params." + given,
            "template '"
                + child.name()
                + "' declares no parameter '"
                + given
                + "'"
                + (child.params().isEmpty()
                    ? ""
                    : " (declared: "
                        + String.join(", ", new TreeSet<>(child.params().keySet()))
                        + ")"));
      }
    }
    for (ParamSpec p : child.params().values()) {
      if (p.required() && !run.params().containsKey(p.name())) {
        errors.error(
            path + ".params",
            "template '" + child.name() + "' requires parameter '" + p.name() + "'");
      }
    }
    List<String> loop = loop(parent.name(), child.name(), new ArrayList<>(List.of(parent.name())));
    if (loop != null) {
      errors.error(
          path + ".template",
          "runs come back to '"
              + parent.name()
              + "': "
              + String.join(" -> ", loop)
              + " (a run may not start itself, directly or not)");
      return;
    }
    int depth = 1 + depth(child, new HashMap<>());
    if (depth > RunSpec.MAX_DEPTH) {
      errors.error(
          path + ".template",
          "runs nest "
              + depth
              + " levels deep through '"
              + child.name()
              + "'; at most "
              + RunSpec.MAX_DEPTH);
    }
  }

  /** Outputs a job that runs {@code template} gives, when the catalog knows it. */
  Optional<Set<String>> outputsOf(String template, Template self) {
    Optional<Template> t =
        template.equals(self.name()) ? Optional.of(self) : catalog.apply(template);
    return t.map(found -> new LinkedHashSet<>(found.outputs().keySet()));
  }

  /** The chain of runs from {@code name} back to {@code start}, or null when none comes back. */
  private List<String> loop(String start, String name, List<String> path) {
    path.add(name);
    if (name.equals(start)) {
      return path;
    }
    if (path.size() > RunSpec.MAX_DEPTH + 2) {
      return null; // deeper than any run may go: reported as depth
    }
    Optional<Template> t = catalog.apply(name);
    if (t.isPresent()) {
      for (String next : runs(t.get())) {
        if (!path.subList(1, path.size()).contains(next) || next.equals(start)) {
          List<String> found = loop(start, next, new ArrayList<>(path));
          if (found != null) {
            return found;
          }
        }
      }
    }
    return null;
  }

  /** Levels of runs below a run of {@code t}. */
  private int depth(Template t, Map<String, Integer> seen) {
    Integer known = seen.get(t.name());
    if (known != null) {
      return known;
    }
    seen.put(t.name(), RunSpec.MAX_DEPTH + 1); // a loop below counts as too deep
    int deepest = 0;
    for (String next : runs(t)) {
      Optional<Template> child = catalog.apply(next);
      if (child.isPresent()) {
        deepest = Math.max(deepest, 1 + depth(child.get(), seen));
      }
    }
    seen.put(t.name(), deepest);
    return deepest;
  }

  private static Set<String> runs(Template t) {
    Set<String> names = new LinkedHashSet<>();
    t.jobs()
        .forEach(
            j -> {
              if (j.run() != null) {
                names.add(j.run().template());
              }
            });
    return names;
  }
}
