package dev.baton.engine.decide;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What the engine will accept from a person about a run now: an approval or rejection of a step
 * that waits for one, a pause or a resume. The engine refuses the same commands, with the same
 * words; the API and CLI check first so that a person hears it at once (HTTP 409, exit 1).
 */
public final class Waiting {
  private Waiting() {}

  /**
   * Why approving or rejecting attempt {@code attempt} of {@code job} with {@code inputs} cannot
   * apply now; null if it can. An approval answers one attempt: after a retry, an answer to the
   * attempt before is stale.
   */
  public static String approvalRefused(
      RunState run, String job, Integer attempt, Map<String, String> inputs) {
    if (attempt == null) {
      return "an approval or rejection must name the attempt it answers (field 'attempt')";
    }
    String refused = approvalRefused(run, job, inputs);
    if (refused == null && run.job(job).attempt() != attempt) {
      return "the approval of attempt "
          + attempt
          + " of job '"
          + job
          + "' is stale: run '"
          + run.runId()
          + "' waits for attempt "
          + run.job(job).attempt();
    }
    return refused;
  }

  /** The attempt of {@code job} waiting for an approval now, or null when none is. */
  public static Integer waitingAttempt(RunState run, String job) {
    return approvalRefused(run, job, Map.of()) == null ? run.job(job).attempt() : null;
  }

  private static String approvalRefused(RunState run, String job, Map<String, String> inputs) {
    JobState state = run.job(job);
    if (run.status() != RunStatus.RUNNING
        || state == null
        || state.status() != JobStatus.RUNNING
        || state.awaiting() == null
        || !state.awaiting().approval()) {
      return "job '"
          + job
          + "' of run '"
          + run.runId()
          + "' is not waiting for an approval ("
          + (state == null
              ? "the run has no such job"
              : run.status() != RunStatus.RUNNING
                  ? "the run is " + run.status()
                  : "it is " + state.status())
          + ")";
    }
    for (String given : inputs.keySet()) {
      if (!state.awaiting().inputs().contains(given)) {
        return "approval step '"
            + job
            + "' has no input '"
            + given
            + "'"
            + (state.awaiting().inputs().isEmpty()
                ? " (it declares none)"
                : " (declared: " + String.join(", ", state.awaiting().inputs()) + ")");
      }
    }
    if (TriggerChecks.paramBytes(inputs) > TriggerChecks.MAX_PARAM_BYTES) {
      return "the inputs are larger than " + TriggerChecks.MAX_PARAM_BYTES + " bytes";
    }
    return null;
  }

  /** Why pausing ({@code pause}) or resuming the run cannot apply now; null if it can. */
  public static String pauseRefused(RunState run, boolean pause) {
    if (pause && (run.status() != RunStatus.RUNNING || run.outcome() != null)) {
      return "only a running run can be paused; run '"
          + run.runId()
          + "' is "
          + (run.outcome() != null ? "ending" : run.status());
    }
    if (pause && run.paused()) {
      return "run '" + run.runId() + "' is already paused";
    }
    if (!pause && !run.paused()) {
      return "run '" + run.runId() + "' is not paused";
    }
    return null;
  }

  /** What a waiting attempt waits for, and the time left at {@code now}. */
  public static String describe(JobState.Awaiting a, Instant now) {
    String what =
        a.approval()
            ? "approval"
                + (a.prompt().isEmpty() ? "" : ": " + a.prompt())
                + (a.inputs().isEmpty() ? "" : " (inputs: " + String.join(", ", a.inputs()) + ")")
            : "event on " + a.topic() + " with key " + a.key();
    if (a.until() == null) {
      return what;
    }
    Duration left = Duration.between(now, a.until());
    return what + ", " + (left.isNegative() ? "timing out" : text(left) + " left");
  }

  private static String text(Duration d) {
    if (d.toHours() > 0) {
      return d.toHours() + "h" + d.toMinutesPart() + "m";
    }
    if (d.toMinutes() > 0) {
      return d.toMinutes() + "m" + d.toSecondsPart() + "s";
    }
    return d.toSeconds() + "s";
  }
}
