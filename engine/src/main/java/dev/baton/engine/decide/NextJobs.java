package dev.baton.engine.decide;

import dev.baton.events.RunEventType;
import dev.baton.expressions.Expressions;
import dev.baton.template.JobSpec;
import dev.baton.template.Placeholders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which jobs start now: a PENDING job whose dependencies all succeeded or were skipped, unless the
 * run is paused. It is skipped instead when its condition is false or it needs outputs of a skipped
 * job; otherwise it is dispatched, or fans out. Repeats until nothing changes (a skip can make
 * another job ready), then ends the run SUCCEEDED when every job succeeded or was skipped.
 */
final class NextJobs {
  private NextJobs() {}

  static void advance(Step s) {
    boolean changed = true;
    while (changed && active(s) && !s.state.paused()) {
      changed = false;
      for (JobSpec spec : s.template.jobs()) {
        JobState job = s.job(spec.name());
        if (active(s)
            && !s.state.paused()
            && job.status() == JobStatus.PENDING
            && !s.readingArtifactsFor.contains(spec.name())
            && ready(s, spec)) {
          start(s, spec, job);
          changed = true;
        }
      }
    }
    if (active(s)
        && s.template.jobs().stream().allMatch(j -> s.job(j.name()).status().letsDependentsRun())) {
      Lifecycle.end(s, RunStatus.SUCCEEDED, null);
    }
  }

  private static boolean active(Step s) {
    return s.state.status() == RunStatus.RUNNING && s.state.outcome() == null;
  }

  private static boolean ready(Step s, JobSpec spec) {
    return spec.dependsOn().stream().allMatch(d -> s.job(d).status().letsDependentsRun());
  }

  private static void start(Step s, JobSpec spec, JobState job) {
    String skippedProducer = skippedProducer(s, spec);
    if (skippedProducer != null) {
      skip(s, job, "needs outputs of job '" + skippedProducer + "', which was skipped");
      return;
    }
    if (spec.when() != null) {
      try {
        if (!Expressions.evalBool(spec.when(), Variables.of(s.state))) {
          skip(s, job, "when: " + Expressions.shortened(spec.when()) + " is false");
          return;
        }
      } catch (Expressions.InvalidExpressionException e) {
        failBeforeStart(s, job, "condition cannot be evaluated: " + e.getMessage());
        return;
      }
    }
    Slas.jobStarts(s, spec);
    if (spec.fansOut()) {
      FanOut.start(s, spec, job);
    } else {
      Dispatches.startJob(s, spec, job);
    }
  }

  static void skip(Step s, JobState job, String why) {
    s.put(job.skipped(why, s.now));
    s.emit(RunEventType.JOB_SKIPPED, job.name(), null, null, null, Map.of(), why);
  }

  static void failBeforeStart(Step s, JobState job, String why) {
    s.put(job.failedBeforeStart(why, s.now));
    s.emit(RunEventType.JOB_FAILED, job.name(), null, null, null, Map.of(), why);
    Lifecycle.failRun(s, "job '" + job.name() + "' " + why);
  }

  /** The first skipped job whose outputs {@code spec} uses, or null. */
  private static String skippedProducer(Step s, JobSpec spec) {
    List<String> texts = new ArrayList<>(spec.command());
    texts.addAll(spec.env().values());
    texts.addAll(spec.artifacts().in().values());
    if (spec.image() != null) {
      texts.add(spec.image());
    }
    if (spec.waitFor() != null && spec.waitFor().event() != null) {
      texts.add(spec.waitFor().event().match());
    }
    for (String text : texts) {
      for (Placeholders.Ref ref : Placeholders.references(text)) {
        if (ref instanceof Placeholders.OutputRef o
            && s.job(o.job()).status() == JobStatus.SKIPPED) {
          return o.job();
        }
        if (ref instanceof Placeholders.ArtifactRef a
            && s.job(a.job()).status() == JobStatus.SKIPPED) {
          return a.job();
        }
      }
    }
    for (String expression : new String[] {spec.when(), spec.forEach()}) {
      if (expression != null) {
        for (JobState other : s.state.jobs().values()) {
          if (other.status() == JobStatus.SKIPPED
              && expression.contains("jobs." + other.name() + ".")) {
            return other.name();
          }
        }
      }
    }
    return null;
  }
}
