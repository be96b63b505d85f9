package dev.baton.engine.decide;

import dev.baton.events.JobDispatch;
import dev.baton.events.RunEvent;
import dev.baton.events.TimerFired;

/** What a decision asks the shell around it to do. */
public sealed interface EngineCommand {

  /** Publish a dispatch (start or stop an attempt) on the dispatch topic. */
  record DispatchJob(JobDispatch dispatch) implements EngineCommand {}

  /** Publish a lifecycle event on the events topic. */
  record EmitRunEvent(RunEvent event) implements EngineCommand {}

  /** Keep a timer until its due time, then feed it back as a {@link EngineEvent.TimerDue}. */
  record ScheduleTimer(TimerFired timer) implements EngineCommand {}

  /** Forget a timer that is no longer needed (the attempt ended before its timeout). */
  record CancelTimer(String timerId) implements EngineCommand {}

  /** Put the run in its template's queue; it starts when admitted (maxConcurrentRuns). */
  record EnqueueRun(String template, int maxConcurrentRuns) implements EngineCommand {}

  /** The run holds no slot of its template's limit any more. */
  record ReleaseRun(String template) implements EngineCommand {}

  /** The input is invalid for Baton: it goes to the dead-letter topic with this reason. */
  record Reject(String reason) implements EngineCommand {}

  /**
   * The input is valid but changes nothing (a stale or repeated completion); logged and counted.
   */
  record Ignore(String reason) implements EngineCommand {}
}
