package dev.baton.engine.decide;

import dev.baton.engine.template.Template;
import dev.baton.events.RunEventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One decision in progress: the state so far, the commands and the transitions used. Local to
 * one {@link Decider#decide} call and mutable only there; every state change goes through
 * {@link #put} or {@link #moveRun}, which record the transition it makes.
 */
final class Step {
  RunState state;
  final Template template;
  final Instant now;
  final List<EngineCommand> commands = new ArrayList<>();
  final List<String> transitions = new ArrayList<>();

  Step(RunState state, Template template, Instant now) {
    this.state = state;
    this.template = template;
    this.now = now;
  }

  Decision decision() {
    return new Decision(state, commands, transitions);
  }

  JobState job(String name) {
    return state.job(name);
  }

  void put(JobState job) {
    JobState old = state.job(job.name());
    if (old != null && old.status() != job.status()) {
      transitions.add(Transitions.job(old.status(), job.status()));
    }
    state = state.withJob(job);
  }

  void put(ItemState item) {
    ItemState old = state.item(item.job(), item.index());
    if (old != null && old.status() != item.status()) {
      transitions.add(Transitions.job(old.status(), item.status()));
    }
    state = state.withItem(item);
  }

  void moveRun(RunStatus to, String detail, RunStatus outcome) {
    if (state.status() != to) {
      transitions.add(Transitions.run(state.status(), to));
    }
    state = state.with(to, to.isFinal() ? now : null, detail, outcome);
  }

  void add(EngineCommand command) {
    commands.add(command);
  }

  void emit(RunEventType type, String job, Integer item, Integer attempt, Integer exitCode, Map<String, String> outputs, String detail) {
    commands.add(new EngineCommand.EmitRunEvent(RunEvents.of(state, type, job, item, attempt, exitCode, outputs, detail, now)));
  }

  void emitRun(RunEventType type, String detail) {
    emit(type, null, null, null, null, Map.of(), detail);
  }
}
