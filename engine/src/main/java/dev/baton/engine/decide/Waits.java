package dev.baton.engine.decide;

import dev.baton.events.RunCommand;
import dev.baton.events.RunEventType;
import dev.baton.template.JobSpec;
import dev.baton.template.WaitSpec;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wait steps: a job that runs nothing and ends when its event is delivered or a person approves or
 * rejects it. Its attempt is RUNNING while it waits ({@link JobState#awaiting} says for what); its
 * {@code timeout}, retry and the exit handler work as for any job. An event or an approval for an
 * attempt that is not waiting changes nothing, so each completes a step at most once.
 */
final class Waits {
  private Waits() {}

  /** Starts the next attempt's wait. Returns false if its references failed (the run fails). */
  static boolean start(Step s, JobSpec spec, JobState job) {
    WaitSpec wait = spec.waitFor();
    int attempt = job.attempt() + 1;
    Substitution sub = new Substitution(s.state, null);
    String key;
    String prompt;
    try {
      key = wait.event() == null ? null : sub.apply(wait.event().match());
      prompt = wait.approval() == null ? null : sub.apply(wait.approval().prompt());
    } catch (Substitution.MissingValueException e) {
      NextJobs.failBeforeStart(s, job, e.getMessage());
      return false;
    }
    if (key != null && (key.isEmpty() || key.length() > WaitSpec.MAX_KEY_CHARS)) {
      NextJobs.failBeforeStart(
          s,
          job,
          "wait.event.match gives a key of "
              + key.length()
              + " characters; it must have 1 to "
              + WaitSpec.MAX_KEY_CHARS);
      return false;
    }
    Instant until = spec.timeout() == null ? null : s.now.plus(spec.timeout());
    JobState.Awaiting awaiting =
        wait.event() != null
            ? new JobState.Awaiting(wait.event().topic(), key, null, List.of(), until)
            : new JobState.Awaiting(null, null, prompt, wait.approval().inputs(), until);
    s.put(job.dispatched(attempt, s.now).started(s.now).awaiting(awaiting));
    s.emit(
        RunEventType.JOB_WAITING,
        spec.name(),
        null,
        attempt,
        null,
        Map.of(),
        "waiting for " + Waiting.describe(awaiting, s.now));
    if (wait.event() != null) {
      s.add(
          new EngineCommand.AwaitEvent(
              wait.event().topic(),
              key,
              s.state.runId(),
              spec.name(),
              attempt,
              WaitSpec.ruleName(s.template.name(), s.template.version(), spec.name()),
              until));
    }
    if (spec.timeout() != null) {
      Dispatches.timeoutIn(s, spec.name(), null, attempt, spec.timeout());
    }
    return true;
  }

  /** The attempt stops waiting: no more deliveries, no timeout. */
  static void stop(Step s, JobState job) {
    JobState.Awaiting a = job.awaiting();
    if (a != null && !a.approval()) {
      s.add(
          new EngineCommand.StopAwaiting(
              a.topic(), a.key(), s.state.runId(), job.name(), job.attempt()));
    }
    Dispatches.cancelTimeout(s, job.name(), null, job.attempt());
  }

  /** The wait timed out: the attempt fails as {@code timeout}, and the job's retry applies. */
  static Decision timedOut(Step s, JobSpec spec, JobState job) {
    String why =
        "timed out: no "
            + (spec.waitFor().event() != null ? "event" : "approval")
            + " within "
            + spec.timeout().toMillis()
            + " ms";
    stop(s, job);
    Completions.failAttempt(s, spec, job, null, "timeout", why, job.startedAt(), s.now);
    return s.decision();
  }

  /** An awaited event, for one attempt: its outputs become the step's. */
  static Decision deliver(Step s, RunCommand c) {
    JobSpec spec = waitSpec(s, c);
    if (spec == null || spec.waitFor().event() == null) {
      return Decider.reject(
          s.state, "run '" + s.state.runId() + "' has no event wait '" + c.getJob() + "'");
    }
    JobState job = s.job(spec.name());
    if (c.getAttempt() == null || !waiting(job) || job.attempt() != c.getAttempt()) {
      return Decider.ignore(
          s.state,
          "event "
              + c.getSource()
              + " for "
              + JobState.attemptId(
                  s.state.runId(), spec.name(), c.getAttempt() == null ? 0 : c.getAttempt())
              + " ignored: the job is "
              + job.status()
              + " at attempt "
              + job.attempt()
              + (waiting(job) ? "" : ", not waiting"));
    }
    if (TriggerChecks.paramBytes(c.getValues()) > TriggerChecks.MAX_PARAM_BYTES) {
      return Decider.reject(
          s.state,
          "the event's outputs are larger than " + TriggerChecks.MAX_PARAM_BYTES + " bytes");
    }
    for (String declared : spec.outputs()) {
      if (!c.getValues().containsKey(declared)) {
        stop(s, job);
        Completions.failAttempt(
            s,
            spec,
            job,
            null,
            "failed",
            "the event " + c.getSource() + " gave no output '" + declared + "'",
            job.startedAt(),
            s.now);
        return s.decision();
      }
    }
    succeed(s, spec, job, Map.copyOf(c.getValues()), "event " + c.getSource());
    return s.decision();
  }

  /**
   * A person's decision on an approval step. Inputs it does not declare are refused; those not
   * given are empty. A rejection fails the job for good: its retry policy does not apply.
   */
  static Decision decide(Step s, RunCommand c, boolean approved) {
    JobSpec spec = waitSpec(s, c);
    if (spec == null || spec.waitFor().approval() == null) {
      return Decider.reject(
          s.state, "run '" + s.state.runId() + "' has no approval step '" + c.getJob() + "'");
    }
    JobState job = s.job(spec.name());
    String refused = Waiting.approvalRefused(s.state, spec.name(), c.getAttempt(), c.getValues());
    if (refused != null) {
      return Decider.reject(s.state, refused);
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String input : spec.waitFor().approval().inputs()) {
      values.put(input, c.getValues().getOrDefault(input, ""));
    }
    String by = c.getSource() == null || c.getSource().isBlank() ? "" : " by " + c.getSource();
    String reason = c.getReason() == null || c.getReason().isBlank() ? "" : ": " + c.getReason();
    if (approved) {
      succeed(s, spec, job, values, "approved" + by + reason);
    } else {
      stop(s, job);
      Completions.failForGood(s, spec, job, null, "rejected" + by + reason, job.startedAt(), s.now);
    }
    return s.decision();
  }

  private static void succeed(
      Step s, JobSpec spec, JobState job, Map<String, String> outputs, String detail) {
    stop(s, job);
    s.put(job.succeeded(outputs, null, job.startedAt(), s.now));
    s.emit(RunEventType.JOB_SUCCEEDED, spec.name(), null, job.attempt(), null, outputs, detail);
    Completions.afterJobEnded(s, spec);
  }

  private static boolean waiting(JobState job) {
    return job.status() == JobStatus.RUNNING && job.awaiting() != null;
  }

  private static JobSpec waitSpec(Step s, RunCommand c) {
    if (c.getJob() == null) {
      return null;
    }
    JobSpec spec = s.template.job(c.getJob()).orElse(null);
    return spec != null && spec.waits() && s.job(spec.name()) != null ? spec : null;
  }
}
