package dev.baton.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The topics a template's {@code service} and {@code emit} steps write to, and the errors of those
 * that do not exist: what {@code templates apply} and the Java client refuse a template for.
 */
public final class TopicChecks {
  private TopicChecks() {}

  /** The topic {@code action} writes to, if it is a service or emit step. */
  public static Optional<String> topicOf(StepAction action) {
    if (action instanceof StepAction.Service s) {
      return Optional.of(s.topic());
    }
    if (action instanceof StepAction.Emit e) {
      return Optional.of(e.topic());
    }
    return Optional.empty();
  }

  /** The topics {@code t}'s steps (its exit handler too) write to. */
  public static Set<String> written(Template t) {
    Set<String> out = new TreeSet<>();
    jobs(t).forEach(j -> topicOf(j.action()).ifPresent(out::add));
    return out;
  }

  /**
   * An error for each step of {@code t} (parsed from {@code yaml}, read from {@code source}) that
   * writes to a topic not in {@code topics}, at its field and line.
   */
  public static List<TemplateError> missing(
      Template t, String source, String yaml, Set<String> topics) {
    List<TemplateError> errors = new ArrayList<>();
    List<JobSpec> jobs = jobs(t);
    for (int i = 0; i < jobs.size(); i++) {
      JobSpec job = jobs.get(i);
      String kind = job.action() instanceof StepAction.Service ? "service" : "emit";
      String field = (i < t.jobs().size() ? "jobs[" + i + "]" : "onExit") + "." + kind + ".topic";
      topicOf(job.action())
          .filter(topic -> !topics.contains(topic))
          .ifPresent(
              topic ->
                  errors.add(
                      Templates.errorAt(
                          source,
                          yaml,
                          field,
                          "topic '"
                              + topic
                              + "' does not exist; create it (baton topics create does"
                              + " Baton's own) before applying")));
    }
    return errors;
  }

  private static List<JobSpec> jobs(Template t) {
    List<JobSpec> jobs = new ArrayList<>(t.jobs());
    if (t.onExit() != null) {
      jobs.add(t.onExit());
    }
    return jobs;
  }
}
