package dev.baton.engine.template;

import dev.baton.engine.template.Placeholders.BadRef;
import dev.baton.engine.template.Placeholders.OutputRef;
import dev.baton.engine.template.Placeholders.ParamRef;
import dev.baton.engine.template.Placeholders.Ref;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks what crosses fields: unique job names, and that every {@code ${...}} reference names a
 * declared parameter, or an output that an earlier job declares.
 */
final class TemplateValidator {
  private final TemplateParser parser;

  TemplateValidator(TemplateParser parser) {
    this.parser = parser;
  }

  void validate(Template template) {
    Map<String, Integer> position = new HashMap<>();
    List<JobSpec> jobs = template.jobs();
    for (int i = 0; i < jobs.size(); i++) {
      if (position.putIfAbsent(jobs.get(i).name(), i) != null) {
        parser.error("jobs[" + i + "].name", "duplicate job name '" + jobs.get(i).name() + "'");
      }
    }
    for (int i = 0; i < jobs.size(); i++) {
      JobSpec job = jobs.get(i);
      String path = "jobs[" + i + "]";
      for (int a = 0; a < job.command().size(); a++) {
        checkRefs(template, position, i, job.command().get(a), path + ".command[" + a + "]");
      }
      for (Map.Entry<String, String> e : job.env().entrySet()) {
        checkRefs(template, position, i, e.getValue(), path + ".env." + e.getKey());
      }
      if (job.image() != null) {
        checkRefs(template, position, i, job.image(), path + ".image");
      }
    }
  }

  private void checkRefs(Template t, Map<String, Integer> position, int jobIndex, String text, String path) {
    for (Ref ref : Placeholders.references(text)) {
      if (ref instanceof ParamRef p && !t.params().containsKey(p.param())) {
        parser.error(path, "unknown parameter '" + p.param() + "' in ${params." + p.param() + "}"
            + (t.params().isEmpty() ? " (the template declares no params)" : " (declared: " + String.join(", ", t.params().keySet()) + ")"));
      } else if (ref instanceof OutputRef o) {
        checkOutputRef(t, position, jobIndex, o, path);
      } else if (ref instanceof BadRef b) {
        parser.error(path, "unknown reference ${" + b.text() + "} (use ${params.NAME}, ${jobs.JOB.outputs.KEY} or ${run.id})");
      }
    }
  }

  private void checkOutputRef(Template t, Map<String, Integer> position, int jobIndex, OutputRef o, String path) {
    Integer producer = position.get(o.job());
    String ref = "${jobs." + o.job() + ".outputs." + o.key() + "}";
    if (producer == null) {
      parser.error(path, "unknown job '" + o.job() + "' in " + ref);
    } else if (producer >= jobIndex) {
      parser.error(path, "job '" + o.job() + "' does not run before this job, so " + ref + " cannot be known yet");
    } else {
      JobSpec job = t.jobs().get(producer);
      if (!job.outputs().contains(o.key())) {
        parser.error(path, "job '" + o.job() + "' does not declare output '" + o.key() + "'"
            + (job.outputs().isEmpty() ? " (it declares no outputs)" : " (declared: " + String.join(", ", job.outputs()) + ")"));
      }
    }
  }
}
