package dev.baton.engine.decide;

import dev.baton.events.JobDispatch;
import dev.baton.events.RunEvent;
import dev.baton.events.TimerFired;

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
   * A wait step's attempt starts waiting for events on {@code topic} with correlation key {@code
   * key}, until {@code until} (null: until told to stop); {@code rule} names the template's wait.
   */
  record AwaitEvent(
      String topic,
      String key,
      String runId,
      String job,
      int attempt,
      String rule,
      java.time.Instant until)
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

  /** The input is invalid for Baton: it goes to the dead-letter topic with this reason. */
  record Reject(String reason) implements EngineCommand {
    @Override
    public void addTo(Effects effects) {
      effects.reject(reason);
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
