package dev.baton.engine.decide;

import dev.baton.engine.decide.EngineCommand.DispatchJob;
import dev.baton.engine.decide.EngineCommand.EmitRunEvent;
import dev.baton.events.CompletionStatus;
import dev.baton.events.DispatchAction;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.events.TimerFired;
import dev.baton.events.WorkflowTrigger;
import dev.baton.template.Template;
import dev.baton.template.Templates;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A simulated loop around the pure core, as the engine runs it: instances kept apart and loaded as
 * {@link Needs} says, timers kept until due. Records every transition used, for the coverage test.
 */
final class Sim {
  static final Set<String> USED_TRANSITIONS = java.util.concurrent.ConcurrentHashMap.newKeySet();
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  final Template template;
  RunState state;
  Instant now = T0;
  final Map<String, ItemState> store = new HashMap<>();
  final Map<String, TimerFired> timers = new LinkedHashMap<>();
  Decision last;
  int lastItemWrites;
  RunQuotas quotas = RunQuotas.NONE;

  /** Reads an artifact a forEach iterates over, given the producer's record of it. */
  java.util.function.Function<String, ArtifactItems> artifacts = Needs.NO_ARTIFACTS;

  /** How many times {@link #artifacts} was asked. */
  int artifactReads;

  Sim(String yaml) {
    this.template = template(yaml);
  }

  static Template template(String yaml) {
    try {
      return Templates.parse("test.yaml", yaml);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static Decision decide(RunState state, EngineEvent event, Template template, Instant now) {
    return decide(state, event, template, now, RunQuotas.NONE);
  }

  static Decision decide(
      RunState state, EngineEvent event, Template template, Instant now, RunQuotas quotas) {
    Decision d = Decider.decide(state, event, template, now, quotas);
    USED_TRANSITIONS.addAll(d.transitions());
    return d;
  }

  Decision apply(EngineEvent event) {
    Needs.Decided decided =
        Needs.decide(
            state,
            event,
            template,
            now,
            quotas,
            q -> q.pick(store),
            record -> {
              artifactReads++;
              return artifacts.apply(record);
            });
    RunState before = decided.before();
    last = decided.decision();
    USED_TRANSITIONS.addAll(last.transitions());
    lastItemWrites = 0;
    if (last.state() != null) {
      Map<String, ItemState> old = before == null ? Map.of() : before.items();
      for (var e : last.state().items().entrySet()) {
        if (!e.getValue().equals(old.get(e.getKey()))) {
          store.put(e.getKey(), e.getValue());
          lastItemWrites++;
        }
      }
      state = last.state().withoutItems();
    }
    if (event instanceof EngineEvent.TimerDue t) {
      timers.remove(t.timer().getEventId());
    }
    for (EngineCommand c : last.commands()) {
      if (c instanceof EngineCommand.ScheduleTimer s) {
        timers.put(s.timer().getEventId(), s.timer());
      } else if (c instanceof EngineCommand.CancelTimer s) {
        timers.remove(s.timerId());
      }
    }
    return last;
  }

  Decision trigger(Map<String, String> params) {
    return apply(
        new EngineEvent.TriggerReceived(
            "r1",
            WorkflowTrigger.newBuilder().setTemplate(template.name()).setParams(params).build()));
  }

  Decision trigger() {
    return trigger(Map.of());
  }

  Decision complete(
      String job,
      Integer item,
      int attempt,
      CompletionStatus status,
      Integer exit,
      Map<String, String> outputs) {
    return apply(
        new EngineEvent.JobCompleted(
            "r1",
            JobCompletion.newBuilder()
                .setRunId("r1")
                .setJob(job)
                .setItem(item)
                .setAttempt(attempt)
                .setStatus(status)
                .setExitCode(exit)
                .setOutputs(outputs)
                .build()));
  }

  Decision succeed(String job, Map<String, String> outputs) {
    return complete(job, null, state.job(job).attempt(), CompletionStatus.SUCCEEDED, 0, outputs);
  }

  Decision succeed(String job) {
    return succeed(job, Map.of());
  }

  Decision fail(String job, int exit) {
    return complete(job, null, state.job(job).attempt(), CompletionStatus.FAILED, exit, Map.of());
  }

  Decision command(RunCommandType type) {
    return apply(
        new EngineEvent.CommandReceived(
            "r1", RunCommand.newBuilder().setRunId("r1").setType(type).build()));
  }

  /** A command with a reason (an ADMIT says which queue lets the run out). */
  Decision command(RunCommandType type, String reason) {
    return apply(
        new EngineEvent.CommandReceived(
            "r1", RunCommand.newBuilder().setRunId("r1").setType(type).setReason(reason).build()));
  }

  /** A command on the run, as a person or the engine's correlation processor sends it. */
  Decision command(
      RunCommandType type, String job, Integer attempt, Map<String, String> values, String source) {
    return apply(
        new EngineEvent.CommandReceived(
            "r1",
            RunCommand.newBuilder()
                .setRunId("r1")
                .setType(type)
                .setJob(job)
                .setAttempt(attempt)
                .setValues(values)
                .setSource(source)
                .build()));
  }

  /** Advances the clock and fires every timer due by then, in due order. */
  void advance(Duration by) {
    now = now.plus(by);
    List<TimerFired> due =
        timers.values().stream()
            .filter(t -> !t.getDueAt().isAfter(now))
            .sorted(java.util.Comparator.comparing(TimerFired::getDueAt))
            .toList();
    for (TimerFired t : due) {
      if (timers.containsKey(t.getEventId())) {
        apply(new EngineEvent.TimerDue("r1", t));
      }
    }
  }

  static List<JobDispatch> dispatches(Decision d, DispatchAction action) {
    return d.commands().stream()
        .filter(c -> c instanceof DispatchJob)
        .map(c -> ((DispatchJob) c).dispatch())
        .filter(x -> x.getAction() == action)
        .toList();
  }

  static List<String> started(Decision d) {
    return dispatches(d, DispatchAction.START).stream()
        .map(x -> x.getJob() + (x.getItem() == null ? "" : "[" + x.getItem() + "]"))
        .toList();
  }

  static List<RunEvent> events(Decision d) {
    return d.commands().stream()
        .filter(c -> c instanceof EmitRunEvent)
        .map(c -> ((EmitRunEvent) c).event())
        .toList();
  }

  static List<RunEventType> eventTypes(Decision d) {
    return events(d).stream().map(RunEvent::getType).toList();
  }

  JobStatus status(String job) {
    return state.job(job).status();
  }

  static Set<String> unused() {
    Set<String> all = new HashSet<>();
    Transitions.RUN.forEach(r -> all.add("run:" + r));
    Transitions.JOB.forEach(r -> all.add("job:" + r));
    all.removeAll(USED_TRANSITIONS);
    return all;
  }
}
