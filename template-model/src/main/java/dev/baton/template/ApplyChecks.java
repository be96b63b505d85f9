package dev.baton.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code templates apply} checks beyond the text: the topics that {@code service} and {@code
 * emit} steps write to exist, and no webhook path is another template's. The CLI and the API's
 * {@code POST /api/templates} run the same checks.
 */
public final class ApplyChecks {
  private ApplyChecks() {}

  /** A template being applied: where its text came from (a file name), the text, what it says. */
  public record Applying(String source, String yaml, Template template) {}

  /**
   * One template's text checked as {@code templates apply} checks it: parsed and validated, its
   * {@code run:} jobs against itself and {@code stored}, then {@link #errors}.
   *
   * @throws InvalidTemplateException with every error at its line and field
   */
  public static Template check(
      String source, String yaml, Set<String> topics, Map<String, Template> stored)
      throws InvalidTemplateException {
    Template alone = Templates.parse(source, yaml);
    Template template = alone;
    if (alone.jobs().stream().anyMatch(JobSpec::runsTemplate)) {
      Composition composition =
          new Composition(
              name ->
                  java.util.Optional.ofNullable(
                      name.equals(alone.name()) ? alone : stored.get(name)),
              true);
      template = Templates.parse(source, yaml, composition);
    }
    List<TemplateError> errors =
        errors(List.of(new Applying(source, yaml, template)), topics, stored);
    if (!errors.isEmpty()) {
      throw new InvalidTemplateException(errors);
    }
    return template;
  }

  /**
   * The errors of {@code loaded}, given the topics that exist and the store's latest template of
   * each name.
   */
  public static List<TemplateError> errors(
      List<Applying> loaded, Set<String> topics, Map<String, Template> stored) {
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
    for (Applying l : loaded) {
      Template t = l.template();
      errors.addAll(TopicChecks.missing(t, l.source(), l.yaml(), topics));
      for (int i = 0; i < t.on().size(); i++) {
        TriggerRule r = t.on().get(i);
        if (r.webhook() != null
            && hookOwners.containsKey(r.webhook().path())
            && !hookOwners.get(r.webhook().path()).equals(t.name())) {
          errors.add(
              Templates.errorAt(
                  l.source(),
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
  public static Set<String> topicsWritten(List<Template> templates) {
    Set<String> out = new TreeSet<>();
    templates.forEach(t -> out.addAll(TopicChecks.written(t)));
    return out;
  }

  private static List<String> hooks(Template t) {
    return t.on().stream().filter(r -> r.webhook() != null).map(r -> r.webhook().path()).toList();
  }
}
