package dev.baton.engine.decide;

import dev.baton.events.RunEventType;
import dev.baton.events.TimerFired;
import dev.baton.events.TimerKind;
import dev.baton.template.JobSpec;
import java.time.Duration;
import java.util.Map;

/**
 * Service-level targets ({@code sla: {duration: ...}}) of a run and of its jobs: a timer each, set
 * when the run or the job starts; when it fires on a run or job still going, a RUN_SLA_MISSED or
 * JOB_SLA_MISSED event says so. Nothing is stopped (that is {@code timeout}'s job). Each timer has
 * a fixed id, so it is reported at most once, also across reruns.
 */
final class Slas {
  private Slas() {}

  /** A run's target counts from its trigger, so time queued under maxConcurrentRuns counts too. */
  static void runStarts(Step s) {
    Duration sla = s.template.sla();
    if (sla != null) {
      Duration left = Duration.between(s.now, s.state.createdAt().plus(sla));
      TimerFired t =
          Dispatches.timer(
              s, TimerKind.RUN_SLA, null, null, null, left.isNegative() ? Duration.ZERO : left);
      s.add(new EngineCommand.ScheduleTimer(t));
    }
  }

  /** A job's target counts from its first start, across its retries and instances. */
  static void jobStarts(Step s, JobSpec spec) {
    JobState job = s.job(spec.name());
    if (spec.sla() != null && job.attempt() == 0) {
      s.add(
          new EngineCommand.ScheduleTimer(
              Dispatches.timer(s, TimerKind.JOB_SLA, spec.name(), null, null, spec.sla())));
    }
  }

  /** The run ended: its targets' timers go, so none outlives the run's keys. */
  static void runEnds(Step s) {
    if (s.template.sla() != null) {
      s.add(
          new EngineCommand.CancelTimer(
              Dispatches.timerId(s.state.runId(), TimerKind.RUN_SLA, null, null, null)));
    }
    for (JobSpec spec : s.template.jobs()) {
      if (spec.sla() != null) {
        s.add(
            new EngineCommand.CancelTimer(
                Dispatches.timerId(s.state.runId(), TimerKind.JOB_SLA, spec.name(), null, null)));
      }
    }
  }

  static Decision due(Step s, TimerFired t) {
    if (t.getKind() == TimerKind.RUN_SLA) {
      Duration sla = s.template.sla();
      if (sla == null || s.state.outcome() != null) {
        return Decider.ignore(s.state, "run SLA timer ignored: the run is ending");
      }
      s.emitRun(
          RunEventType.RUN_SLA_MISSED,
          "still " + s.state.status() + " " + DurationText.of(sla) + " after its trigger (sla)");
      return s.decision();
    }
    JobState job = s.job(t.getJob());
    JobSpec spec = s.template.job(t.getJob()).orElse(null);
    if (job == null || spec == null || spec.sla() == null || job.status().isFinal()) {
      return Decider.ignore(s.state, "job SLA timer " + t.getEventId() + " ignored: the job ended");
    }
    s.emit(
        RunEventType.JOB_SLA_MISSED,
        job.name(),
        null,
        job.attempt(),
        null,
        Map.of(),
        "still " + job.status() + " " + DurationText.of(spec.sla()) + " after it started (sla)");
    return s.decision();
  }

  /** Durations as templates write them: 90s, 30m, 2h. */
  private static final class DurationText {
    static String of(Duration d) {
      long ms = d.toMillis();
      if (ms % 3_600_000 == 0) {
        return ms / 3_600_000 + "h";
      }
      if (ms % 60_000 == 0) {
        return ms / 60_000 + "m";
      }
      if (ms % 1_000 == 0) {
        return ms / 1_000 + "s";
      }
      return ms + "ms";
    }
  }
}
