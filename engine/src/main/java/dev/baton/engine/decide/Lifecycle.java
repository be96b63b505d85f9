package dev.baton.engine.decide;

import dev.baton.events.RunEventType;
import dev.baton.events.TimerKind;
import dev.baton.template.JobSpec;
import dev.baton.template.Template;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's start and end: admission under {@code maxConcurrentRuns}, the run timeout, stopping what
 * runs when the run fails or is cancelled, the exit handler, and rerun from failure.
 */
final class Lifecycle {
  private Lifecycle() {}

  /** The run starts (new or admitted): timeout timer, RUN_STARTED, first jobs. */
  static void begin(Step s, String detail) {
    s.moveRun(RunStatus.RUNNING, null, null);
    s.emitRun(RunEventType.RUN_STARTED, detail);
    scheduleRunTimeout(s);
    Slas.runStarts(s);
    NextJobs.advance(s);
  }

  private static void scheduleRunTimeout(Step s) {
    if (s.template.timeout() != null) {
      var timer =
          Dispatches.timer(s, TimerKind.RUN_TIMEOUT, null, null, null, s.template.timeout());
      timer.setEventId(timer.getEventId() + "@" + s.now.toEpochMilli());
      s.runTimeoutTimer(timer.getEventId());
      s.add(new EngineCommand.ScheduleTimer(timer));
    }
  }

  private static void cancelRunTimeout(Step s) {
    if (s.state.runTimeoutTimer() != null) {
      s.add(new EngineCommand.CancelTimer(s.state.runTimeoutTimer()));
      s.runTimeoutTimer(null);
    }
  }

  /** Stops everything running or waiting, then ends the run FAILED (after its exit handler). */
  static void failRun(Step s, String detail) {
    stopAll(s);
    end(s, RunStatus.FAILED, detail);
  }

  /** Stops everything and ends the run FAILED at once, without its exit handler. */
  static void abort(Step s, String detail) {
    stopAll(s);
    cancelRunTimeout(s);
    finish(s, RunStatus.FAILED, detail);
  }

  /** STOP for every running attempt (instances too, those loaded); waiting retries are dropped. */
  static void stopAll(Step s) {
    for (JobState job : new ArrayList<>(s.state.jobs().values())) {
      if (job.fansOut() && job.status() == JobStatus.RUNNING) {
        FanOut.stopActive(s, job.name());
        s.put(s.job(job.name()).cancelled(null, "stopped", s.now));
      } else if (job.status() == JobStatus.RUNNING) {
        Dispatches.stop(s, job.name(), null, job.attempt());
        s.put(job.cancelled(null, "stopped", s.now));
        s.emit(
            RunEventType.JOB_CANCELLED, job.name(), null, job.attempt(), null, Map.of(), "stopped");
      } else if (job.status() == JobStatus.WAITING) {
        s.add(
            new EngineCommand.CancelTimer(
                Dispatches.timerId(
                    s.state.runId(), TimerKind.RETRY, job.name(), null, job.attempt())));
        s.put(job.cancelled(job.exitCode(), job.error(), s.now));
      }
    }
  }

  /** The run has its outcome: run the exit handler first if there is one, else end now. */
  static void end(Step s, RunStatus outcome, String detail) {
    cancelRunTimeout(s);
    s.paused(false); // a run that ends runs its exit handler, paused or not
    JobSpec exit = s.template.onExit();
    if (exit != null && s.job(exit.name()).status() == JobStatus.PENDING) {
      s.moveRun(RunStatus.RUNNING, detail, outcome);
      Dispatches.startJob(s, exit, s.job(exit.name()));
      return;
    }
    finish(s, outcome, detail);
  }

  static void exitHandlerEnded(Step s, boolean succeeded) {
    RunStatus outcome = s.state.outcome() == null ? RunStatus.FAILED : s.state.outcome();
    String detail = s.state.detail();
    if (!succeeded && outcome == RunStatus.SUCCEEDED) {
      outcome = RunStatus.FAILED;
      detail = "exit handler '" + s.template.onExit().name() + "' failed";
    }
    finish(s, outcome, detail);
  }

  private static void finish(Step s, RunStatus outcome, String detail) {
    s.paused(false);
    s.moveRun(outcome, detail, null);
    if (outcome == RunStatus.SUCCEEDED) {
      s.emit(
          RunEventType.RUN_SUCCEEDED,
          null,
          null,
          null,
          null,
          runOutputs(s.state, s.template),
          detail);
    } else {
      s.emitRun(
          outcome == RunStatus.CANCELLED ? RunEventType.RUN_CANCELLED : RunEventType.RUN_FAILED,
          detail);
    }
    Slas.runEnds(s);
    Children.reportEnd(s, outcome, detail);
    if (s.template.maxConcurrentRuns() > 0) {
      s.add(new EngineCommand.ReleaseRun(s.template.name()));
    }
  }

  /**
   * The template's declared outputs of a run that succeeded, for its RUN_SUCCEEDED event; one whose
   * reference has no value (a job that was skipped) is left out.
   */
  static Map<String, String> runOutputs(RunState state, Template template) {
    Map<String, String> outputs = new LinkedHashMap<>();
    if (template == null) {
      return outputs;
    }
    Substitution sub = new Substitution(state, null);
    template
        .outputs()
        .forEach(
            (name, reference) -> {
              try {
                outputs.put(name, sub.apply(reference));
              } catch (Substitution.MissingValueException e) {
                // left out: the event says what the run has
              }
            });
    return outputs;
  }

  static Decision cancel(Step s, String reason) {
    String detail = reason == null || reason.isBlank() ? "cancelled" : "cancelled: " + reason;
    if (s.state.status() == RunStatus.QUEUED) {
      finish(s, RunStatus.CANCELLED, detail);
      return s.decision();
    }
    if (s.state.status() != RunStatus.RUNNING) {
      return Decider.ignore(
          s.state, "run '" + s.state.runId() + "' already ended " + s.state.status());
    }
    if (s.state.outcome() != null) {
      return Decider.ignore(
          s.state, "run '" + s.state.runId() + "' is ending; its exit handler runs");
    }
    stopAll(s);
    end(s, RunStatus.CANCELLED, detail);
    return s.decision();
  }

  /**
   * A queued run is let out: by its template's queue (then it may still wait for its tenant), or by
   * its tenant's ({@code reason} {@link RunQuotas#TENANT_ADMISSION}). An admission for the queue
   * the run is not in (sent again after its lease, or written by hand) changes nothing.
   */
  static Decision admit(Step s, String reason) {
    if (s.state.status() != RunStatus.QUEUED) {
      return Decider.ignore(
          s.state, "run '" + s.state.runId() + "' is " + s.state.status() + ", not queued");
    }
    boolean tenantAdmits = RunQuotas.TENANT_ADMISSION.equals(reason);
    if (tenantAdmits != waitingForTenant(s.state)) {
      return Decider.ignore(
          s.state,
          "run '"
              + s.state.runId()
              + "' waits in its "
              + (tenantAdmits ? "template's" : "tenant's")
              + " queue");
    }
    if (tenantAdmits) {
      begin(s, "admitted: a run of tenant " + s.state.tenantName() + " may start");
    } else if (!waitsForTenant(s)) {
      begin(s, "admitted (maxConcurrentRuns " + s.template.maxConcurrentRuns() + ")");
    }
    return s.decision();
  }

  private static final String TENANT_WAIT = "waiting for one of the runs of tenant ";

  private static boolean waitingForTenant(RunState run) {
    return run.detail() != null && run.detail().startsWith(TENANT_WAIT);
  }

  /**
   * A top-level run of a tenant with a run quota waits in the tenant's queue (in arrival order,
   * higher priority first) until the tenant runs fewer than its quota; false when it may start now.
   * Child runs are part of their parent's run and never wait here.
   */
  static boolean waitsForTenant(Step s) {
    int max = s.state.parent() == null ? s.quotas.maxRuns(s.state.tenantName()) : 0;
    if (max <= 0) {
      return false;
    }
    String tenant = s.state.tenantName();
    String detail = TENANT_WAIT + tenant + " (it runs at most " + max + " at once)";
    s.moveRun(RunStatus.QUEUED, detail, null);
    // The quota in fields too: baton replay reads it from there.
    s.emit(
        RunEventType.RUN_QUEUED,
        null,
        null,
        null,
        null,
        Map.of(RunQueued.TENANT, tenant, RunQueued.MAX_RUNS, Integer.toString(max)),
        detail);
    s.add(
        new EngineCommand.TenantRun(
            EngineCommand.TenantRun.Op.ENQUEUE, tenant, s.state.priority(), true));
    return true;
  }

  /**
   * Pause: nothing new is dispatched (no next job, no fan-out instance, no retry) until {@link
   * #resume}; running attempts finish and timers keep their time.
   */
  static Decision pause(Step s, String reason) {
    if (s.state.paused()) {
      return Decider.ignore(s.state, "run '" + s.state.runId() + "' is already paused");
    }
    String refused = Waiting.pauseRefused(s.state, true);
    if (refused != null) {
      return Decider.reject(s.state, refused);
    }
    s.paused(true);
    s.emitRun(
        RunEventType.RUN_PAUSED,
        reason == null || reason.isBlank() ? "paused" : "paused: " + reason);
    return s.decision();
  }

  /** Resume: what a pause held back is dispatched now. */
  static Decision resume(Step s) {
    String refused = Waiting.pauseRefused(s.state, false);
    if (refused != null) {
      return Decider.reject(s.state, refused);
    }
    s.paused(false);
    s.emitRun(RunEventType.RUN_RESUMED, "resumed");
    if (s.state.status() == RunStatus.RUNNING && s.state.outcome() == null) {
      for (JobSpec spec : s.template.jobs()) {
        if (spec.fansOut() && s.job(spec.name()).status() == JobStatus.RUNNING) {
          FanOut.fill(s, spec);
        }
      }
      NextJobs.advance(s);
    }
    return s.decision();
  }

  /**
   * A retry came due while the run is paused: the job (or instance) goes back to PENDING, and
   * starts its next attempt when the run resumes.
   */
  static void holdRetry(Step s, JobSpec spec, Integer index) {
    if (index == null) {
      s.put(s.job(spec.name()).reset());
      return;
    }
    ItemState item = s.item(spec.name(), index);
    s.put(item.reset());
    JobState job = s.job(spec.name());
    List<Integer> requeue = new ArrayList<>();
    requeue.add(index);
    requeue.addAll(job.requeued());
    s.put(
        job.withCounters(
            job.items(),
            job.nextItem(),
            job.itemsActive() - 1,
            job.itemsDone(),
            job.itemsFailed(),
            requeue));
  }

  /**
   * Rerun from failure: failed and stopped jobs (and instances) go back to PENDING; succeeded ones
   * keep their outputs.
   */
  static Decision rerun(Step s) {
    if (s.state.status() != RunStatus.FAILED) {
      return Decider.reject(
          s.state,
          "only a FAILED run can be retried; run '" + s.state.runId() + "' is " + s.state.status());
    }
    JobSpec exit = s.template.onExit();
    for (JobState job : new ArrayList<>(s.state.jobs().values())) {
      boolean exitHandler = exit != null && exit.name().equals(job.name());
      if (exitHandler && job.status() == JobStatus.SUCCEEDED) {
        // the rerun ends again, so its exit handler runs again
        s.put(job.reset());
        continue;
      }
      if (job.status() != JobStatus.FAILED && job.status() != JobStatus.CANCELLED) {
        continue;
      }
      JobState reset = job.reset();
      if (job.fansOut()) {
        List<Integer> requeue = new ArrayList<>(job.requeued());
        for (ItemState item : List.copyOf(s.items.values())) {
          if (item.job().equals(job.name())
              && (item.status() == JobStatus.FAILED || item.status() == JobStatus.CANCELLED)) {
            s.put(item.reset());
            requeue.add(item.index());
          }
        }
        Collections.sort(requeue);
        reset = reset.withCounters(job.items(), job.nextItem(), 0, job.itemsDone(), 0, requeue);
      }
      s.put(reset);
    }
    s.moveRun(RunStatus.RUNNING, null, null);
    s.emitRun(RunEventType.RUN_RETRIED, "rerun from the failed jobs");
    scheduleRunTimeout(s);
    Slas.runStarts(s);
    NextJobs.advance(s);
    return s.decision();
  }
}
