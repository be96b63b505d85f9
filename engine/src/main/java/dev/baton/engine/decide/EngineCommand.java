package dev.baton.engine.decide;

import dev.baton.events.JobDispatch;
import dev.baton.events.RunEvent;

/** What a decision asks the shell around it to do. */
public sealed interface EngineCommand {

  /** Publish a dispatch (start or stop an attempt) on the dispatch topic. */
  record DispatchJob(JobDispatch dispatch) implements EngineCommand {}

  /** Publish a lifecycle event on the events topic. */
  record EmitRunEvent(RunEvent event) implements EngineCommand {}

  /** The input is invalid for Baton: it goes to the dead-letter topic with this reason. */
  record Reject(String reason) implements EngineCommand {}

  /** The input is valid but changes nothing (a stale or repeated completion); logged and counted. */
  record Ignore(String reason) implements EngineCommand {}
}
