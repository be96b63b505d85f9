package dev.baton.cli;

import dev.baton.engine.template.JobSpec;
import dev.baton.engine.template.StepAction;
import dev.baton.engine.template.Template;
import dev.baton.engine.template.TemplateError;
import dev.baton.engine.template.Templates;
import dev.baton.engine.template.TriggerRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code templates apply} checks beyond the text: the topics that {@code service} and {@code
 * emit} steps write to exist, and no webhook path is another template's.
 */
public final class ApplyChecks {
  private ApplyChecks() {}

  /**
   * The errors of {@code loaded}, given the topics that exist and the store's latest template of
   * each name.
   */
  static List<TemplateError> errors(
      List<TemplatePublisher.Loaded> loaded, Set<String> topics, Map<String, Template> stored) {
    List<TemplateError> errors = new ArrayList<>();
    // Each path's template: the store's, but for the templates applied now, whose versions replace
    // theirs; then the first of those applied now that claims it.
    Map<String, String> hookOwners = new HashMap<>();
    Set<String> applying = new HashSet<>();
    loaded.forEach(l -> applying.add(l.template().name()));
    stored.values().stream()
        .filter(t -> !applying.contains(t.name()))
        .forEach(t -> hooks(t).forEach(h -> hookOwners.put(h, t.name())));
    loaded.forEach(
        l -> hooks(l.template()).forEach(h -> hookOwners.putIfAbsent(h, l.template().name())));
    for (TemplatePublisher.Loaded l : loaded) {
      Template t = l.template();
      List<JobSpec> jobs = new ArrayList<>(t.jobs());
      if (t.onExit() != null) {
        jobs.add(t.onExit());
      }
      for (int i = 0; i < jobs.size(); i++) {
        JobSpec job = jobs.get(i);
        String kind = job.action() instanceof StepAction.Service ? "service" : "emit";
        int at = i;
        topicOf(job.action())
            .filter(topic -> !topics.contains(topic))
            .ifPresent(
                topic ->
                    errors.add(
                        Templates.errorAt(
                            l.file().toString(),
                            l.yaml(),
                            (at < t.jobs().size() ? "jobs[" + at + "]" : "onExit")
                                + "."
                                + kind
                                + ".topic",
                            "topic '"
                                + topic
                                + "' does not exist; create it (baton topics create does"
                                + " Baton's own) before applying")));
      }
      for (int i = 0; i < t.on().size(); i++) {
        TriggerRule r = t.on().get(i);
        if (r.webhook() != null
            && hookOwners.containsKey(r.webhook().path())
            && !hookOwners.get(r.webhook().path()).equals(t.name())) {
          errors.add(
              Templates.errorAt(
                  l.file().toString(),
                  l.yaml(),
                  "on[" + i + "].webhook.path",
                  "webhook path '"
                      + r.webhook().path()
                      + "' is template '"
                      + hookOwners.get(r.webhook().path())
                      + "''s"));
        }
      }
    }
    return errors;
  }

  /** The topics the templates' service and emit steps write to. */
  public static Set<String> topicsWritten(List<TemplatePublisher.Loaded> loaded) {
    Set<String> out = new TreeSet<>();
    for (TemplatePublisher.Loaded l : loaded) {
      List<JobSpec> jobs = new ArrayList<>(l.template().jobs());
      if (l.template().onExit() != null) {
        jobs.add(l.template().onExit());
      }
      jobs.forEach(j -> topicOf(j.action()).ifPresent(out::add));
    }
    return out;
  }

  private static List<String> hooks(Template t) {
    return t.on().stream().filter(r -> r.webhook() != null).map(r -> r.webhook().path()).toList();
  }

  private static Optional<String> topicOf(StepAction action) {
    if (action instanceof StepAction.Service s) {
      return Optional.of(s.topic());
    }
    if (action instanceof StepAction.Emit e) {
      return Optional.of(e.topic());
    }
    return Optional.empty();
  }
}
