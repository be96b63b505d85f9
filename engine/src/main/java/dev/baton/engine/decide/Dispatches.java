package dev.baton.engine.decide;

import dev.baton.events.DispatchAction;
import dev.baton.events.JobDispatch;
import dev.baton.events.PodOptions;
import dev.baton.events.RunEventType;
import dev.baton.events.SecretRef;
import dev.baton.events.TimerFired;
import dev.baton.events.TimerKind;
import dev.baton.events.WarmPool;
import dev.baton.template.JobSpec;
import dev.baton.template.StepAction;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starting and stopping attempts. Every attempt has a timer from its dispatch: a dispatcher must
 * say it started the attempt within the job's {@code startTimeout} (10 minutes unless the job
 * says), or the attempt fails as not started and the job's retry policy applies; so an attempt lost
 * before it started cannot hang a run, whatever the template says. When the start is reported, the
 * timer moves: a job with a timeout gets it twice from then, the runtime kills the attempt at
 * {@code timeout} and the engine's timer, {@link #TIMEOUT_GRACE} later, fails an attempt whose
 * runtime never reported; a job without one has no timer once started. Time spent waiting for a
 * free slot never counts against a job's timeout.
 */
final class Dispatches {
  static final Duration TIMEOUT_GRACE = Duration.ofSeconds(5);

  private Dispatches() {}

  /**
   * Starts the next attempt of a plain job (from PENDING or WAITING). Returns false if its
   * references failed.
   */
  static boolean startJob(Step s, JobSpec spec, JobState job) {
    if (spec.waits()) {
      return Waits.start(s, spec, job);
    }
    if (spec.cache() != null) {
      return Caches.lookup(s, spec, job);
    }
    return runAttempt(s, spec, job, job.attempt() + 1);
  }

  /**
   * Carries out attempt {@code attempt} of a plain job: its child run, or its dispatch. Returns
   * false if its references failed.
   */
  static boolean runAttempt(Step s, JobSpec spec, JobState job, int attempt) {
    if (spec.runsTemplate()) {
      return Children.start(s, spec, job, attempt);
    }
    if (spec.acts()) {
      return Actions.start(s, spec, null, attempt);
    }
    Resolved r = resolve(s, spec, null);
    if (r == null) {
      return false;
    }
    s.put(job.dispatched(attempt, s.now));
    send(s, spec, null, attempt, r);
    return true;
  }

  /** Starts the next attempt of one fan-out instance. */
  static void startItem(Step s, JobSpec spec, ItemState item) {
    int attempt = item.attempt() + 1;
    if (spec.runsTemplate()) {
      Children.startItem(s, spec, item, attempt);
      return;
    }
    if (spec.acts()) {
      Actions.start(s, spec, item, attempt);
      return;
    }
    Resolved r = resolve(s, spec, item.value());
    if (r == null) {
      return;
    }
    s.put(item.dispatched(attempt));
    send(s, spec, item.index(), attempt, r);
  }

  private record Resolved(
      List<String> command, Map<String, String> env, String image, Map<String, String> in) {}

  /**
   * The job's argv, env and image with references resolved; null (and the run failing) if one
   * cannot be.
   */
  private static Resolved resolve(Step s, JobSpec spec, String itemValue) {
    Substitution sub = new Substitution(s.state, itemValue);
    try {
      Map<String, String> env = new LinkedHashMap<>(s.state.params());
      spec.env().forEach((k, v) -> env.put(k, sub.apply(v)));
      if (s.state.outcome() != null) {
        env.put("BATON_RUN_STATUS", s.state.outcome().name());
      }
      Map<String, String> in = new LinkedHashMap<>();
      spec.artifacts().in().forEach((name, ref) -> in.put(name, sub.apply(ref)));
      return new Resolved(
          spec.command().stream().map(sub::apply).toList(),
          env,
          spec.image() == null ? null : sub.apply(spec.image()),
          in);
    } catch (Substitution.MissingValueException e) {
      unresolved(s, spec, e.getMessage());
      return null;
    }
  }

  /** What the job's attempt needs cannot be had ({@code why}): the job and the run fail. */
  static void unresolved(Step s, JobSpec spec, String why) {
    JobState job = s.job(spec.name());
    if (job.status() == JobStatus.PENDING) {
      s.put(job.failedBeforeStart(why, s.now));
    }
    s.emit(RunEventType.JOB_FAILED, spec.name(), null, null, null, Map.of(), why);
    Lifecycle.failRun(s, "job '" + spec.name() + "' " + why);
  }

  private static void send(Step s, JobSpec spec, Integer item, int attempt, Resolved r) {
    s.add(
        new EngineCommand.DispatchJob(
            attempt(s, spec.name(), item, attempt, DispatchAction.START)
                .setCommand(r.command())
                .setImage(r.image())
                .setEnv(r.env())
                .setTimeoutMs(spec.timeout() == null ? null : spec.timeout().toMillis())
                .setRuntime(spec.runtime())
                .setPod(podOptions(spec))
                .setSecretEnv(secretEnv(spec))
                .setPriority(s.state.priority())
                .setArtifactsIn(r.in())
                .setArtifactsOut(spec.artifacts().out())
                .build()));
    s.emit(
        RunEventType.JOB_DISPATCHED,
        spec.name(),
        item,
        attempt,
        null,
        Map.of(),
        String.join(" ", r.command()));
    timeoutIn(s, spec.name(), item, attempt, spec.startTimeout());
  }

  /** A dispatcher started the attempt: its timeout counts from now, or it has none. */
  static void started(Step s, JobSpec spec, Integer item, int attempt) {
    if (spec.timeout() != null) {
      // A child run's timeout is the engine's own: no runtime enforces it first.
      Duration grace = spec.runsTemplate() ? Duration.ZERO : TIMEOUT_GRACE;
      timeoutIn(s, spec.name(), item, attempt, spec.timeout().plus(grace));
    } else {
      cancelTimeout(s, spec.name(), item, attempt);
    }
  }

  private static Map<String, SecretRef> secretEnv(JobSpec spec) {
    Map<String, SecretRef> out = new LinkedHashMap<>();
    spec.secretEnv().forEach((name, ref) -> out.put(name, new SecretRef(ref.name(), ref.key())));
    return out;
  }

  private static PodOptions podOptions(JobSpec spec) {
    if (spec.pod() == null) {
      return null;
    }
    return PodOptions.newBuilder()
        .setResources(spec.pod().resources())
        .setNodeSelector(spec.pod().nodeSelector())
        .setTolerations(spec.pod().tolerations())
        .setServiceAccountName(spec.pod().serviceAccountName())
        .setImagePullSecrets(spec.pod().imagePullSecrets())
        .setWarm(
            spec.pod().warm() == null
                ? null
                : WarmPool.newBuilder()
                    .setMin(spec.pod().warm().min())
                    .setMax(spec.pod().warm().max())
                    .setIdleTimeoutMs(spec.pod().warm().idleTimeout().toMillis())
                    .setReuse(spec.pod().warm().reuse())
                    .build())
        .build();
  }

  /** A STOP for a running attempt, and the end of its timeout timer. */
  static void stop(Step s, String job, Integer item, int attempt) {
    if (item == null && s.template.job(job).map(JobSpec::waits).orElse(false)) {
      Waits.stop(s, s.job(job));
      return;
    }
    if (item == null && s.job(job) != null && s.job(job).inLookup()) {
      return; // looking up its result: nothing was dispatched
    }
    if (s.template.job(job).map(JobSpec::runsTemplate).orElse(false)) {
      Children.stop(s, job, item, attempt);
      return;
    }
    JobSpec acting = s.template.job(job).filter(JobSpec::acts).orElse(null);
    if (acting != null && !(acting.action() instanceof StepAction.Http)) {
      Actions.stop(s, acting, item, attempt); // nothing runs outside the run: its timers go
      return;
    }
    s.add(
        new EngineCommand.DispatchJob(
            attempt(s, job, item, attempt, DispatchAction.STOP)
                .setRuntime(s.template.job(job).map(JobSpec::runtime).orElse(null))
                .build()));
    cancelTimeout(s, job, item, attempt);
  }

  /**
   * A dispatch of the attempt, to start or stop it: its coordinates, the run's template and tenant;
   * the caller adds what the action needs.
   */
  static JobDispatch.Builder attempt(
      Step s, String job, Integer item, int attempt, DispatchAction action) {
    String attemptId = JobState.attemptId(s.state.runId(), job, item, attempt);
    return JobDispatch.newBuilder()
        .setEventId(action == DispatchAction.STOP ? attemptId + "/stop" : attemptId)
        .setRunId(s.state.runId())
        .setOccurredAt(s.now)
        .setAction(action)
        .setTemplate(s.state.template())
        .setTemplateVersion(s.state.templateVersion())
        .setJob(job)
        .setAttempt(attempt)
        .setAttemptId(attemptId)
        .setItem(item)
        .setTenant(s.state.tenantName());
  }

  /** The attempt fails as timed out (or not started) {@code after} from now unless it ends. */
  static void timeoutIn(Step s, String job, Integer item, int attempt, Duration after) {
    s.add(
        new EngineCommand.ScheduleTimer(
            timer(s, TimerKind.JOB_TIMEOUT, job, item, attempt, after)));
  }

  static void cancelTimeout(Step s, String job, Integer item, int attempt) {
    s.add(
        new EngineCommand.CancelTimer(
            timerId(s.state.runId(), TimerKind.JOB_TIMEOUT, job, item, attempt)));
  }

  static TimerFired timer(
      Step s, TimerKind kind, String job, Integer item, Integer attempt, Duration after) {
    return TimerFired.newBuilder()
        .setEventId(timerId(s.state.runId(), kind, job, item, attempt))
        .setRunId(s.state.runId())
        .setOccurredAt(s.now)
        .setKind(kind)
        .setJob(job)
        .setItem(item)
        .setAttempt(attempt)
        .setDueAt(s.now.plus(after))
        .build();
  }

  static String timerId(String runId, TimerKind kind, String job, Integer item, Integer attempt) {
    return switch (kind) {
      case RUN_TIMEOUT ->
          runId + "/run-timeout"; // Lifecycle adds the time it was set: a rerun sets a new one
      case RETRY -> JobState.attemptId(runId, job, item, attempt) + "/retry";
      case RUN_SLA -> runId + "/sla";
      case JOB_SLA -> runId + "/" + job + "/sla";
      case SLEEP -> JobState.attemptId(runId, job, item, attempt) + "/sleep";
      default -> JobState.attemptId(runId, job, item, attempt) + "/timeout";
    };
  }
}
