package dev.baton.engine.decide;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.RunEventType;
import dev.baton.events.TimerKind;
import dev.baton.template.ArtifactSpec;
import dev.baton.template.JobSpec;
import dev.baton.template.RetrySpec;
import dev.baton.template.StepAction;
import java.time.Instant;
import java.util.Map;

/**
 * How an attempt's end changes the run: success records outputs; a failure waits for a retry when
 * the job's retry policy covers it, else fails the job (and the run, or the fan-out it belongs to).
 * A completion of an attempt that is not the current one, or a second one, changes nothing.
 */
final class Completions {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private Completions() {}

  /** The failure kinds a retry policy names. */
  static String kind(CompletionStatus status) {
    return switch (status) {
      case FAILED -> "failed";
      case TIMED_OUT -> "timeout";
      default -> "lost";
    };
  }

  static Decision apply(Step s, JobCompletion c) {
    JobSpec spec = s.template.job(c.getJob()).orElse(null);
    JobState job = s.job(c.getJob());
    if (spec == null || job == null) {
      return Decider.reject(
          s.state, "run '" + s.state.runId() + "' has no job '" + c.getJob() + "'");
    }
    if (spec.waits()) {
      return Decider.reject(
          s.state,
          "job '"
              + spec.name()
              + "' is a wait step: it ends by its event or approval, not by a job's report");
    }
    s.applying(c);
    if (c.getStatus() == CompletionStatus.STARTED) {
      return started(s, spec, job, c);
    }
    if (c.getItem() != null) {
      return applyToItem(s, spec, c);
    }
    if (job.fansOut() || job.status() != JobStatus.RUNNING || job.attempt() != c.getAttempt()) {
      return stale(
          s,
          spec,
          "completion of "
              + JobState.attemptId(s.state.runId(), c.getJob(), c.getAttempt())
              + " ignored: the job is "
              + job.status()
              + " at attempt "
              + job.attempt());
    }
    Dispatches.cancelTimeout(s, spec.name(), null, job.attempt());
    String missing = missingOutput(spec, c);
    if (c.getStatus() == CompletionStatus.SUCCEEDED && missing == null) {
      JobState done =
          job.succeeded(c.getOutputs(), c.getExitCode(), c.getStartedAt(), endTime(s, c));
      s.put(done);
      Caches.store(s, spec, done);
      s.emit(
          RunEventType.JOB_SUCCEEDED,
          job.name(),
          null,
          job.attempt(),
          c.getExitCode(),
          c.getOutputs(),
          null);
      afterJobEnded(s, spec);
    } else {
      String why = missing != null ? missing : failureText(c);
      failAttempt(
          s, spec, job, c.getExitCode(), kind(c.getStatus()), why, c.getStartedAt(), endTime(s, c));
    }
    return s.decision();
  }

  /**
   * A dispatcher started the attempt: recorded, and its timeout counted from now. A late or
   * repeated report changes nothing.
   */
  private static Decision started(Step s, JobSpec spec, JobState job, JobCompletion c) {
    Instant at = c.getStartedAt() != null ? c.getStartedAt() : s.now;
    String attemptId = JobState.attemptId(s.state.runId(), c.getJob(), c.getItem(), c.getAttempt());
    if (c.getItem() != null) {
      ItemState item = s.item(spec.name(), c.getItem());
      if (item == null
          || item.status() != JobStatus.RUNNING
          || item.attempt() != c.getAttempt()
          || item.startedAt() != null) {
        return Decider.ignore(
            s.state,
            "start of "
                + attemptId
                + " ignored: the instance is "
                + (item == null ? "unknown" : item.status() + " at attempt " + item.attempt()));
      }
      s.put(item.started(at));
    } else {
      if (job.fansOut()
          || job.status() != JobStatus.RUNNING
          || job.attempt() != c.getAttempt()
          || job.startedAt() != null) {
        return Decider.ignore(
            s.state,
            "start of "
                + attemptId
                + " ignored: the job is "
                + job.status()
                + " at attempt "
                + job.attempt());
      }
      s.put(job.started(at));
    }
    Dispatches.started(s, spec, c.getItem(), c.getAttempt());
    return s.decision();
  }

  private static Decision applyToItem(Step s, JobSpec spec, JobCompletion c) {
    ItemState item = s.item(spec.name(), c.getItem());
    JobState job = s.job(spec.name());
    if (item == null
        || !job.fansOut()
        || job.status() != JobStatus.RUNNING
        || item.status() != JobStatus.RUNNING
        || item.attempt() != c.getAttempt()) {
      return stale(
          s,
          spec,
          "completion of "
              + JobState.attemptId(s.state.runId(), c.getJob(), c.getItem(), c.getAttempt())
              + " ignored: the instance is "
              + (item == null ? "unknown" : item.status() + " at attempt " + item.attempt()));
    }
    Dispatches.cancelTimeout(s, spec.name(), item.index(), item.attempt());
    String missing = missingOutput(spec, c);
    if (c.getStatus() == CompletionStatus.SUCCEEDED && missing == null) {
      s.put(item.succeeded(c.getOutputs(), c.getExitCode()));
      s.emit(
          RunEventType.JOB_SUCCEEDED,
          spec.name(),
          item.index(),
          item.attempt(),
          c.getExitCode(),
          c.getOutputs(),
          null);
      FanOut.itemEnded(s, spec, s.item(spec.name(), item.index()), true, null);
      if (s.job(spec.name()).status() == JobStatus.SUCCEEDED) {
        NextJobs.advance(s);
      }
      return s.decision();
    }
    String why = missing != null ? missing : failureText(c);
    RetrySpec retry = spec.retry();
    String kind = kind(c.getStatus());
    if (retry != null && item.attempt() <= retry.limit() && retry.retries(kind, c.getExitCode())) {
      s.put(item.waiting(c.getExitCode(), why));
      scheduleRetry(s, spec, item.index(), item.attempt(), c.getExitCode(), why);
      return s.decision();
    }
    s.put(item.failed(c.getExitCode(), why));
    s.emit(
        RunEventType.JOB_FAILED,
        spec.name(),
        item.index(),
        item.attempt(),
        c.getExitCode(),
        Map.of(),
        why);
    FanOut.itemEnded(s, spec, item, false, why);
    return s.decision();
  }

  /** A plain job's attempt failed (or timed out): retry it, or fail it for good. */
  static void failAttempt(
      Step s,
      JobSpec spec,
      JobState job,
      Integer exitCode,
      String kind,
      String why,
      Instant started,
      Instant ended) {
    RetrySpec retry = spec.retry();
    if (retry != null && job.attempt() <= retry.limit() && retry.retries(kind, exitCode)) {
      s.put(job.waiting(exitCode, why, started, ended));
      scheduleRetry(s, spec, null, job.attempt(), exitCode, why);
      return;
    }
    failForGood(s, spec, job, exitCode, why, started, ended);
  }

  /** A plain job failed with no retry: the run fails (or ends, if it was the exit handler). */
  static void failForGood(
      Step s,
      JobSpec spec,
      JobState job,
      Integer exitCode,
      String why,
      Instant started,
      Instant ended) {
    s.put(job.failed(exitCode, why, started, ended));
    s.emit(RunEventType.JOB_FAILED, job.name(), null, job.attempt(), exitCode, Map.of(), why);
    if (isExitHandler(s, spec)) {
      Lifecycle.exitHandlerEnded(s, false);
    } else {
      Lifecycle.failRun(s, "job '" + job.name() + "' " + why);
    }
  }

  private static void scheduleRetry(
      Step s, JobSpec spec, Integer item, int attempt, Integer exitCode, String why) {
    var wait = spec.retry().backoff(attempt);
    s.add(
        new EngineCommand.ScheduleTimer(
            Dispatches.timer(s, TimerKind.RETRY, spec.name(), item, attempt, wait)));
    s.emit(
        RunEventType.JOB_RETRYING,
        spec.name(),
        item,
        attempt,
        exitCode,
        Map.of(),
        "attempt "
            + attempt
            + " "
            + why
            + "; attempt "
            + (attempt + 1)
            + " in "
            + wait.toMillis()
            + " ms");
  }

  /**
   * A completion of an attempt that is not running: ignored, as a repeated or late report is; a
   * service's reply to an attempt that ended (it timed out, or was cancelled) is refused where the
   * service's owners look, the dead-letter topic.
   */
  private static Decision stale(Step s, JobSpec spec, String why) {
    if (spec.action() instanceof StepAction.Service) {
      return Decider.reject(s.state, "reply refused: " + why.replace(" ignored:", ":"));
    }
    return Decider.ignore(s.state, why);
  }

  static void afterJobEnded(Step s, JobSpec spec) {
    if (isExitHandler(s, spec)) {
      Lifecycle.exitHandlerEnded(s, true);
    } else {
      NextJobs.advance(s);
    }
  }

  static boolean isExitHandler(Step s, JobSpec spec) {
    return s.template.onExit() != null && s.template.onExit().name().equals(spec.name());
  }

  private static String missingOutput(JobSpec spec, JobCompletion c) {
    if (c.getStatus() != CompletionStatus.SUCCEEDED) {
      return null;
    }
    for (String declared : spec.outputs()) {
      if (!c.getOutputs().containsKey(declared)) {
        return "exited 0 but did not write its declared output '"
            + declared
            + "' to $BATON_OUTPUTS";
      }
    }
    String forged = spec.runsTemplate() ? null : forgedArtifact(spec, c);
    if (forged != null) {
      return forged;
    }
    for (String artifact : spec.artifacts().out().keySet()) {
      if (!c.getOutputs().containsKey(ArtifactSpec.outputKey(artifact))) {
        return "succeeded but no artifact '"
            + artifact
            + "' was stored for it (its runtime"
            + (c.getReporter() == null ? "" : ", " + c.getReporter() + ",")
            + " keeps no artifacts, or its dispatcher has no artifact store)";
      }
    }
    return null;
  }

  /**
   * An artifact record the job's report may not carry: one the job does not declare, or one stored
   * anywhere but under this attempt (a report that names another run's file would hand that file to
   * the next job). Null when every record is the attempt's own.
   */
  private static String forgedArtifact(JobSpec spec, JobCompletion c) {
    for (var e : c.getOutputs().entrySet()) {
      if (!e.getKey().startsWith(ArtifactSpec.OUTPUT_PREFIX)) {
        continue;
      }
      String name = e.getKey().substring(ArtifactSpec.OUTPUT_PREFIX.length());
      if (!spec.artifacts().out().containsKey(name)) {
        return "reported artifact '" + name + "', which the job does not declare";
      }
      String own =
          "/"
              + ArtifactSpec.attemptPath(c.getRunId(), c.getJob(), c.getItem(), c.getAttempt())
              + "/"
              + name;
      String uri;
      try {
        uri = JSON.readTree(e.getValue()).path("uri").asText("");
      } catch (java.io.IOException x) {
        uri = "";
      }
      if (!uri.startsWith("s3://") || !uri.endsWith(own) || uri.contains("/../")) {
        return "reported artifact '"
            + name
            + "' at '"
            + uri
            + "', not under this attempt ("
            + own
            + ")";
      }
    }
    return null;
  }

  static String failureText(JobCompletion c) {
    StringBuilder s =
        new StringBuilder(
            switch (c.getStatus()) {
              case TIMED_OUT -> "timed out";
              case STOPPED -> "was stopped";
              case UNKNOWN -> "ended in an unknown way";
              default -> "failed";
            });
    // An http call's report says its status itself ("HTTP 503: ...").
    if (c.getExitCode() != null && !"http".equals(c.getReporter())) {
      s.append(" with exit code ").append(c.getExitCode());
    }
    if (c.getErrorTail() != null && !c.getErrorTail().isBlank()) {
      s.append(": ").append(c.getErrorTail().strip());
    }
    return s.toString();
  }

  private static Instant endTime(Step s, JobCompletion c) {
    return c.getEndedAt() != null ? c.getEndedAt() : s.now;
  }
}
