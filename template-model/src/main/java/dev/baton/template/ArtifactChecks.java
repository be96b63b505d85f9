package dev.baton.template;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks what a job's {@code artifacts.in} names: an artifact that a job this one depends on
 * (directly or not) declares in its {@code artifacts.out}; of a job with {@code forEach}, that
 * names every instance's file, in item order (a fan-in). A {@code forEach} may iterate over such an
 * artifact: {@code jobs.JOB.artifacts.NAME}.
 */
final class ArtifactChecks {
  private final YamlFields fields;

  ArtifactChecks(YamlFields fields) {
    this.fields = fields;
  }

  void check(Template t, Map<String, Set<String>> ancestors) {
    Set<String> every = new java.util.HashSet<>();
    t.jobs().forEach(j -> every.add(j.name()));
    t.outputs()
        .forEach(
            (name, value) ->
                ArtifactSpec.exactly(value)
                    .ifPresent(ref -> checkRef(t, every, ref, "outputs." + name)));
    List<JobSpec> jobs = t.jobs();
    for (int i = 0; i < jobs.size(); i++) {
      JobSpec job = jobs.get(i);
      String path = "jobs[" + i + "].artifacts";
      job.artifacts()
          .in()
          .forEach(
              (name, value) -> checkIn(t, ancestors.get(job.name()), value, path + ".in." + name));
      if (job.forEach() != null) {
        String at = "jobs[" + i + "].forEach";
        var over = ArtifactSpec.forEachOver(job.forEach());
        if (over.isPresent()) {
          checkRef(t, ancestors.get(job.name()), over.get(), at);
          t.jobs().stream()
              .filter(j -> j.name().equals(over.get().job()) && j.forEach() != null)
              .findFirst()
              .ifPresent(
                  fanOut ->
                      fields.error(
                          at,
                          "job '"
                              + fanOut.name()
                              + "' has forEach: its artifact is one file per instance, and a"
                              + " forEach iterates over one file"));
        } else if (job.forEach().contains(".artifacts.")) {
          fields.error(
              at,
              "a forEach over an artifact is written jobs.JOB.artifacts.NAME, alone: the"
                  + " instances are its lines, or its elements when it holds a JSON array");
        }
      }
    }
  }

  private void checkIn(Template t, Set<String> ancestors, String value, String path) {
    for (Placeholders.Ref ref : Placeholders.references(value)) {
      if (ref instanceof Placeholders.ArtifactRef a) {
        checkRef(t, ancestors, a, path);
      }
    }
  }

  private void checkRef(
      Template t, Set<String> ancestors, Placeholders.ArtifactRef a, String path) {
    String text = "${jobs." + a.job() + ".artifacts." + a.name() + "}";
    JobSpec producer =
        t.jobs().stream().filter(j -> j.name().equals(a.job())).findFirst().orElse(null);
    if (producer == null) {
      fields.error(path, "unknown job '" + a.job() + "' in " + text);
    } else if (!ancestors.contains(a.job())) {
      fields.error(
          path,
          "job '"
              + a.job()
              + "' must finish first: add it to dependsOn (directly or through another job) to"
              + " use "
              + text);
    } else if (producer.run() == null && !producer.artifacts().out().containsKey(a.name())) {
      // (a job that runs a template has what that template's outputs pass up, known at run time)
      fields.error(
          path,
          "job '"
              + a.job()
              + "' declares no artifact '"
              + a.name()
              + "'"
              + (producer.artifacts().out().isEmpty()
                  ? " (it declares no artifacts.out)"
                  : " (declared: " + String.join(", ", producer.artifacts().out().keySet()) + ")"));
    }
  }
}
