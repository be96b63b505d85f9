package dev.baton.engine.decide;

import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.events.RunEvent;
import dev.baton.events.TimerFired;
import dev.baton.events.WorkflowTrigger;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** What a decision asks the shell around it to do. */
public sealed interface EngineCommand {
  /** Adds what this command asks for to {@code effects}: every command must say. */
  void addTo(Effects effects);

  /** Publish a dispatch (start or stop an attempt) on the dispatch topic. */
  record DispatchJob(JobDispatch dispatch) implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.dispatch(dispatch);
    }
  }

  /** Publish a lifecycle event on the events topic. */
  record EmitRunEvent(RunEvent event) implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.event(event);
    }
  }

  /** Keep a timer until its due time, then feed it back as a {@link EngineEvent.TimerDue}. */
  record ScheduleTimer(TimerFired timer) implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.setTimer(timer);
    }
  }

  /** Forget a timer that is no longer needed (the attempt ended before its timeout). */
  record CancelTimer(String timerId) implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.cancelTimer(timerId);
    }
  }

  /** Put the run in its template's queue; it starts when admitted (maxConcurrentRuns). */
  record EnqueueRun(String template, int maxConcurrentRuns) implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.admission(new Effects.Admission(true, template, maxConcurrentRuns));
    }
  }

  /** The run holds no slot of its template's limit any more. */
  record ReleaseRun(String template) implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.admission(new Effects.Admission(false, template, 0));
    }
  }

  /**
   * The run's place among its tenant's runs (tenant run quotas): {@code ENQUEUE} waits in the
   * tenant's queue, {@code START} counts it as running, {@code END} forgets it. Child runs are part
   * of their parent's and are not counted. {@code queued}: the run was QUEUED, so its place in the
   * queue (and its admission) is cleared too.
   */
  record TenantRun(Op op, String tenant, int priority, boolean queued) implements EngineCommand {
    public enum Op {
      ENQUEUE,
      START,
      END
    }

    @Override
    public void addTo(Effects effects) {
      effects.tenantRun(this);
    }
  }

  /**
   * A wait step's attempt starts waiting for events on {@code topic} with correlation key {@code
   * key}, until {@code until} (null: until told to stop); {@code rule} names the template's wait.
   */
  record AwaitEvent(
      String topic, String key, String runId, String job, int attempt, String rule, Instant until)
      implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.await(new Effects.Await(true, topic, key, runId, job, attempt, rule, until));
    }
  }

  /** The attempt no longer waits (it got its event, timed out, or the run stopped it). */
  record StopAwaiting(String topic, String key, String runId, String job, int attempt)
      implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.await(new Effects.Await(false, topic, key, runId, job, attempt, null, null));
    }
  }

  /**
   * Look up a stored result of {@code job} under its attempt's cache key: a CACHE_LOOKUP command to
   * the run's own task, answered from the cache when the engine applies it.
   */
  record LookupCache(String runId, String job, int attempt) implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.lookup(this);
    }
  }

  /**
   * Keep a succeeded attempt's outputs as the result of {@code template}'s {@code job} for {@code
   * key}, for {@code ttl}, unless a result is kept already: written after the run's save.
   */
  record StoreResult(
      String template,
      String job,
      String key,
      Map<String, String> outputs,
      String attemptId,
      Duration ttl)
      implements EngineCommand {
    public StoreResult {
      outputs = Map.copyOf(outputs);
    }

    @Override
    public void addTo(Effects effects) {
      effects.store(this);
    }
  }

  /**
   * Start a child run: a trigger on the triggers topic, keyed by the child's run id (its run starts
   * once, however often this is produced).
   */
  record StartChild(WorkflowTrigger trigger) implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.startChild(trigger);
    }
  }

  /**
   * Write one record to {@code topic} in the decision's transaction: an emit step's event, or a
   * service step's request ({@code request} set: the attempt it asks for, whose reply headers and
   * token the shell adds).
   */
  record Produce(String topic, String key, String value, ServiceRequest request)
      implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.produce(this);
    }
  }

  /**
   * A service step's request: the attempt that waits for its reply, and when that attempt times out
   * (its reply is not applied after).
   */
  record ServiceRequest(String runId, String job, Integer item, int attempt, Instant deadline) {
    public String attemptId() {
      return JobState.attemptId(runId, job, item, attempt);
    }
  }

  /**
   * Report how a child run ended to the parent's job: a completion of the parent's attempt, signed
   * by the engine as the dispatcher signs its reports.
   */
  record ReportToParent(JobCompletion completion) implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.report(completion);
    }
  }

  /** Cancel another run (a child of this one): a CANCEL command on the commands topic. */
  record CancelRun(String runId, String reason) implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.cancelRun(this);
    }
  }

  /** The input is invalid for Baton: it goes to the dead-letter topic with this reason. */
  record Reject(String reason) implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.reject(reason);
    }
  }

  /**
   * A trigger for a run that exists already: it goes to the dead-letter topic with this reason, and
   * the run it names goes on (no REJECTED event for it).
   */
  record RefuseTrigger(String reason) implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.refuseTrigger(reason);
    }
  }

  /**
   * The input is valid but changes nothing (a stale or repeated completion); logged and counted.
   */
  record Ignore(String reason) implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      // nothing to publish or save: the shell logs and counts it from the decision

    }
  }
}
