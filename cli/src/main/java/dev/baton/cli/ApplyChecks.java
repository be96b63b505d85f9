package dev.baton.cli;

import dev.baton.template.Template;
import dev.baton.template.TemplateError;
import dev.baton.template.Templates;
import dev.baton.template.TopicChecks;
import dev.baton.template.TriggerRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
      errors.addAll(TopicChecks.missing(t, l.file().toString(), l.yaml(), topics));
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
    loaded.forEach(l -> out.addAll(TopicChecks.written(l.template())));
    return out;
  }

  private static List<String> hooks(Template t) {
    return t.on().stream().filter(r -> r.webhook() != null).map(r -> r.webhook().path()).toList();
  }
}
