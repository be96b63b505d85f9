package dev.baton.template;

/**
 * What kind of step a job is and what it calls, in a few words: for the web UI's boxes and for
 * {@code baton status} and {@code watch}.
 */
public final class StepKinds {
  private StepKinds() {}

  /**
   * {@code command}, {@code pod}, {@code http}, {@code service}, {@code emit}, {@code sleep},
   * {@code event}, {@code approval} or {@code sub-workflow}.
   */
  public static String kind(JobSpec job) {
    if (job.action() != null) {
      return job.action().kind();
    }
    if (job.waitFor() != null) {
      return job.waitFor().event() != null ? "event" : "approval";
    }
    if (job.run() != null) {
      return "sub-workflow";
    }
    return job.image() != null ? "pod" : "command";
  }

  /** What the step calls or waits for, as its template says (placeholders unresolved). */
  public static String calls(JobSpec job) {
    if (job.action() instanceof StepAction.Http h) {
      return h.method() + " " + h.url();
    }
    if (job.action() instanceof StepAction.Service s) {
      return "asks the service on " + s.topic();
    }
    if (job.action() instanceof StepAction.Emit e) {
      return "emits to " + e.topic();
    }
    if (job.action() instanceof StepAction.Sleep s) {
      return s.duration() != null ? "sleeps " + s.duration() : "sleeps until " + s.until();
    }
    if (job.waitFor() != null && job.waitFor().event() != null) {
      return "waits for an event on " + job.waitFor().event().topic();
    }
    if (job.waitFor() != null) {
      return "waits for approval";
    }
    if (job.run() != null) {
      return "runs template " + job.run().template();
    }
    return (job.image() != null ? job.image() + ": " : "") + String.join(" ", job.command());
  }
}
