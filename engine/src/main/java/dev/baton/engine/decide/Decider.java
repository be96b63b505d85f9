package dev.baton.engine.decide;

import dev.baton.engine.decide.EngineCommand.Ignore;
import dev.baton.engine.decide.EngineCommand.Reject;
import dev.baton.engine.decide.EngineEvent.CommandReceived;
import dev.baton.engine.decide.EngineEvent.JobCompleted;
import dev.baton.engine.decide.EngineEvent.TimerDue;
import dev.baton.engine.decide.EngineEvent.TriggerReceived;
import dev.baton.events.RunEventType;
import dev.baton.events.TimerFired;
import dev.baton.events.WorkflowTrigger;
import dev.baton.template.JobSpec;
import dev.baton.template.StepAction;
import dev.baton.template.Template;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The decision core: {@code decide(state, event, template, now)} returns the new state, the
 * commands to carry out and the transitions used. Pure: no clock ({@code now} is the input record's
 * timestamp), no random ids, no I/O, inputs are not mutated. Illegal inputs become {@link Reject},
 * not exceptions. The rules live in small classes: {@link NextJobs} (what starts), {@link FanOut},
 * {@link Completions} (success, failure, retry), {@link Lifecycle} (admission, timeouts, cancel,
 * exit handler, rerun).
 */
public final class Decider {
  private Decider() {}

  public static Decision decide(RunState state, EngineEvent event, Template template, Instant now) {
    return decide(state, event, template, now, RunQuotas.NONE);
  }

  /** As above, under the tenants' run quotas in force when the record is applied. */
  public static Decision decide(
      RunState state, EngineEvent event, Template template, Instant now, RunQuotas quotas) {
    return decide(state, event, template, now, quotas, Map.of());
  }

  /**
   * As above, with the items of the artifacts a {@code forEach} iterates over, by the producer's
   * record of the artifact. A fan-out over an artifact not among them is left for another decision:
   * {@link Decision#artifactsToRead} names what to read first.
   */
  public static Decision decide(
      RunState state,
      EngineEvent event,
      Template template,
      Instant now,
      RunQuotas quotas,
      Map<String, ArtifactItems> artifactItems) {
    try {
      return decideOrThrow(state, event, template, now, quotas, artifactItems);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      // A bug, or an input past what one record may cost: this record is refused, the next applied.
      return refuse(
          state, template, now, "the engine could not apply " + describe(event) + ": " + e);
    }
  }

  /**
   * A trigger for a run that exists (found applied before, or a run id sent again): it starts
   * nothing, and the events say so with the run's status and, if it ended, its result.
   */
  public static Decision repeatedTrigger(
      RunState state, WorkflowTrigger trigger, Template template, Instant now) {
    return RepeatedTriggers.answer(
        state, template, now, TriggerChecks.forExistingRun(state, trigger));
  }

  /**
   * A record that cannot be applied: it is rejected (dead-lettered) with {@code reason}, and a run
   * still going ends FAILED with the same reason, so that it never waits for what cannot come. Its
   * exit handler does not run: it may be what could not be applied.
   */
  public static Decision refuse(RunState state, Template template, Instant now, String reason) {
    if (state == null || template == null || state.status() != RunStatus.RUNNING) {
      return reject(state, reason);
    }
    try {
      Step step = new Step(state, template, now);
      Lifecycle.abort(step, reason);
      step.add(new Reject(reason));
      return step.decision();
    } catch (RuntimeException | StackOverflowError e) {
      return reject(state, reason);
    }
  }

  private static String describe(EngineEvent event) {
    if (event instanceof TriggerReceived) {
      return "the trigger";
    }
    if (event instanceof JobCompleted c) {
      return "the completion of "
          + c.completion().getJob()
          + " attempt "
          + c.completion().getAttempt();
    }
    if (event instanceof TimerDue t) {
      return "timer " + t.timer().getEventId();
    }
    return "command " + ((CommandReceived) event).command().getType();
  }

  private static Decision decideOrThrow(
      RunState state,
      EngineEvent event,
      Template template,
      Instant now,
      RunQuotas quotas,
      Map<String, ArtifactItems> artifactItems) {
    if (event instanceof TriggerReceived t) {
      return onTrigger(state, t, template, now, quotas);
    }
    if (state == null) {
      return reject(
          null,
          "no run '" + event.runId() + "' is known (it never started, or it ended and expired)");
    }
    if (template == null) {
      return reject(
          state,
          "template " + state.template() + " v" + state.templateVersion() + " is not in the store");
    }
    Step step = new Step(state, template, now, quotas);
    step.artifactItems = artifactItems;
    if (event instanceof JobCompleted c) {
      if (state.status() != RunStatus.RUNNING) {
        String why =
            "run '"
                + state.runId()
                + "' is "
                + state.status()
                + "; completion of "
                + c.completion().getJob()
                + " ignored";
        boolean service =
            template.job(c.completion().getJob()).map(JobSpec::action).orElse(null)
                instanceof StepAction.Service;
        return service ? reject(state, "reply refused: " + why) : ignore(state, why);
      }
      return Completions.apply(step, c.completion());
    }
    if (event instanceof TimerDue t) {
      return onTimer(step, t.timer());
    }
    CommandReceived c = (CommandReceived) event;
    return switch (c.command().getType()) {
      case CANCEL -> Lifecycle.cancel(step, c.command().getReason());
      case RETRY -> Lifecycle.rerun(step);
      case ADMIT -> Lifecycle.admit(step, c.command().getReason());
      case PAUSE -> Lifecycle.pause(step, c.command().getReason());
      case RESUME -> Lifecycle.resume(step);
      case APPROVE -> running(step, () -> Waits.decide(step, c.command(), true));
      case REJECT -> running(step, () -> Waits.decide(step, c.command(), false));
      case DELIVER -> running(step, () -> Waits.deliver(step, c.command()));
      case CACHE_LOOKUP -> running(step, () -> Caches.answered(step, c.command()));
      default -> reject(state, "command " + c.command().getType() + " is not supported");
    };
  }

  /** {@code then}, for a run that is going; a command on a queued or ended run is refused. */
  private static Decision running(Step s, Supplier<Decision> then) {
    if (s.state.status() != RunStatus.RUNNING) {
      return reject(s.state, "run '" + s.state.runId() + "' is " + s.state.status());
    }
    return then.get();
  }

  private static Decision onTrigger(
      RunState state, TriggerReceived event, Template template, Instant now, RunQuotas quotas) {
    WorkflowTrigger trigger = event.trigger();
    if (state != null) {
      return repeatedTrigger(state, trigger, template, now);
    }
    if (trigger.getParent() == null && Children.isChildId(event.runId())) {
      return reject(null, Children.reservedIdRefused(event.runId()));
    }
    if (template == null) {
      String version =
          trigger.getTemplateVersion() == null ? "" : " version " + trigger.getTemplateVersion();
      return refuseStart(event, "unknown template '" + trigger.getTemplate() + "'" + version, now);
    }
    Map<String, String> params = new LinkedHashMap<>();
    String refused = TriggerChecks.paramsRefused(trigger.getParams(), template, params);
    if (refused != null) {
      return refuseStart(event, refused, now);
    }
    var link = trigger.getParent();
    RunState.Parent parent =
        link == null
            ? null
            : new RunState.Parent(
                link.getRunId(), link.getJob(), link.getItem(), link.getAttempt(), link.getDepth());
    Map<String, JobState> jobs = new LinkedHashMap<>();
    template.jobs().forEach(j -> jobs.put(j.name(), JobState.pending(j.name())));
    if (template.onExit() != null) {
      jobs.put(template.onExit().name(), JobState.pending(template.onExit().name()));
    }
    RunState created =
        RunState.created(
            event.runId(), template.name(), template.version(), params, jobs, now, parent);
    String tenant;
    try {
      tenant = Tenants.of(trigger, template, created);
    } catch (Tenants.InvalidTenantException e) {
      return refuseStart(event, e.getMessage(), now);
    }
    Integer priority =
        trigger.getPriority() != null
            ? trigger.getPriority()
            : Integer.valueOf(template.priority());
    if (Math.abs(priority) > Template.MAX_PRIORITY) {
      return refuseStart(
          event, "priority " + priority + " is out of range: it must be from -1000 to 1000", now);
    }
    created = created.withTenant(tenant, priority);
    Step step = new Step(created, template, now, quotas);
    if (template.maxConcurrentRuns() > 0) {
      step.moveRun(RunStatus.QUEUED, null, null);
      step.emitRun(
          RunEventType.RUN_QUEUED,
          "waiting for one of " + template.maxConcurrentRuns() + " slots of " + template.name());
      step.add(new EngineCommand.EnqueueRun(template.name(), template.maxConcurrentRuns()));
    } else if (!Lifecycle.waitsForTenant(step)) {
      Lifecycle.begin(step, "template " + template.storeKey());
    }
    if (parent != null) {
      step.add(Children.created(parent, event.runId(), now));
    }
    return step.decision();
  }

  /** A trigger that starts no run; a child's parent learns why at once. */
  private static Decision refuseStart(TriggerReceived event, String reason, Instant now) {
    if (event.trigger().getParent() == null) {
      return reject(null, reason);
    }
    return new Decision(
        null,
        List.of(
            new Reject(reason),
            Children.refused(event.trigger().getParent(), event.runId(), reason, now)),
        List.of());
  }

  private static Decision onTimer(Step s, TimerFired t) {
    RunState state = s.state;
    if (state.status() != RunStatus.RUNNING) {
      return ignore(state, "timer " + t.getEventId() + " ignored: run is " + state.status());
    }
    switch (t.getKind()) {
      case RUN_TIMEOUT -> {
        if (state.outcome() != null || !t.getEventId().equals(state.runTimeoutTimer())) {
          return ignore(state, "run timeout ignored: the run is ending");
        }
        Lifecycle.failRun(s, "run timed out after " + s.template.timeout().toMillis() + " ms");
        return s.decision();
      }
      case RETRY -> {
        return retryDue(s, t);
      }
      case JOB_TIMEOUT -> {
        return jobTimedOut(s, t);
      }
      case RUN_SLA, JOB_SLA -> {
        return Slas.due(s, t);
      }
      case SLEEP -> {
        return Actions.slept(s, t);
      }
      default -> {
        return reject(state, "unknown timer kind in " + t.getEventId());
      }
    }
  }

  private static Decision retryDue(Step s, TimerFired t) {
    JobSpec spec = s.template.job(t.getJob()).orElse(null);
    JobState job = s.job(t.getJob());
    if (spec == null || job == null) {
      return reject(s.state, "timer for unknown job " + t.getJob());
    }
    if (!stillIn(s, t, JobStatus.WAITING)) {
      return ignore(s.state, "retry timer " + t.getEventId() + " is stale");
    }
    if (s.state.paused()) {
      Lifecycle.holdRetry(s, spec, t.getItem());
      return s.decision();
    }
    if (t.getItem() != null) {
      Dispatches.startItem(s, spec, s.item(t.getJob(), t.getItem()));
    } else {
      Dispatches.startJob(s, spec, job);
    }
    return s.decision();
  }

  /**
   * Whether the job or instance a timer names is still in {@code status}, at the timer's attempt.
   */
  private static boolean stillIn(Step s, TimerFired t, JobStatus status) {
    if (t.getItem() != null) {
      ItemState item = s.item(t.getJob(), t.getItem());
      return item != null && item.status() == status && item.attempt() == t.getAttempt();
    }
    JobState job = s.job(t.getJob());
    return job.status() == status && job.attempt() == t.getAttempt();
  }

  /**
   * No dispatcher started the attempt within its start timeout (kind "lost"), or, started, its
   * runtime did not report within timeout + grace (kind "timeout"): stop it and count it so.
   */
  private static Decision jobTimedOut(Step s, TimerFired t) {
    JobSpec spec = s.template.job(t.getJob()).orElse(null);
    JobState job = s.job(t.getJob());
    if (spec == null || job == null) {
      return reject(s.state, "timer for unknown job " + t.getJob());
    }
    if (!stillIn(s, t, JobStatus.RUNNING)) {
      return ignore(s.state, "timeout timer " + t.getEventId() + " is stale");
    }
    if (t.getItem() != null) {
      ItemState item = s.item(t.getJob(), t.getItem());
      String why = timeoutText(spec, item.startedAt() != null);
      Dispatches.stop(s, spec.name(), item.index(), item.attempt());
      s.put(item.failed(null, why));
      s.emit(
          RunEventType.JOB_FAILED, spec.name(), item.index(), item.attempt(), null, Map.of(), why);
      FanOut.itemEnded(s, spec, item, false, why);
      return s.decision();
    }
    if (spec.waits()) {
      return Waits.timedOut(s, spec, job);
    }
    boolean started = job.startedAt() != null;
    Dispatches.stop(s, spec.name(), null, job.attempt());
    Completions.failAttempt(
        s,
        spec,
        job,
        null,
        started ? "timeout" : "lost",
        timeoutText(spec, started),
        job.startedAt(),
        s.now);
    return s.decision();
  }

  private static String timeoutText(JobSpec spec, boolean started) {
    if (spec.action() instanceof StepAction.Service r) {
      return "timed out: no reply from the service on "
          + r.topic()
          + " within "
          + Actions.replyWithin(spec).toMillis()
          + " ms";
    }
    if (spec.runsTemplate() && !started) {
      return "not started: its child run did not start within "
          + spec.startTimeout().toMillis()
          + " ms of the attempt";
    }
    if (spec.runsTemplate()) {
      return "timed out: its child run did not end within " + spec.timeout().toMillis() + " ms";
    }
    if (!started || spec.timeout() == null) {
      return "not started: no dispatcher started the attempt within "
          + spec.startTimeout().toMillis()
          + " ms of its dispatch";
    }
    return "timed out: no completion within "
        + spec.timeout().plus(Dispatches.TIMEOUT_GRACE).toMillis()
        + " ms of its start";
  }

  static Decision reject(RunState state, String reason) {
    return new Decision(state, List.of(new Reject(reason)), List.of());
  }

  static Decision ignore(RunState state, String reason) {
    return new Decision(state, List.of(new Ignore(reason)), List.of());
  }
}
