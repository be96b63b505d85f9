package dev.baton.engine.decide;

import dev.baton.events.JobCompletion;
import dev.baton.events.RunCommand;
import dev.baton.events.TimerFired;
import dev.baton.events.WorkflowTrigger;

/** An input of {@link Decider#decide}: every one of them arrived as a Kafka record. */
public sealed interface EngineEvent {
  String runId();

  record TriggerReceived(String runId, WorkflowTrigger trigger) implements EngineEvent {}

  record JobCompleted(String runId, JobCompletion completion) implements EngineEvent {}

  record CommandReceived(String runId, RunCommand command) implements EngineEvent {}

  record TimerDue(String runId, TimerFired timer) implements EngineEvent {}
}
