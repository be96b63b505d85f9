package dev.baton.engine.decide;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of one run, as stored in Redis: pinned template version, params after defaults, and
 * every job in template order. Immutable; {@link Decider} returns a new one.
 */
public record RunState(
    String runId,
    String template,
    int templateVersion,
    RunStatus status,
    Map<String, String> params,
    Map<String, JobState> jobs,
    Instant createdAt,
    Instant endedAt,
    String detail) {

  public RunState {
    params = Map.copyOf(params);
    jobs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(jobs));
  }

  public JobState job(String name) {
    return jobs.get(name);
  }

  RunState withJob(JobState job) {
    Map<String, JobState> copy = new LinkedHashMap<>(jobs);
    copy.put(job.name(), job);
    return new RunState(runId, template, templateVersion, status, params, copy, createdAt, endedAt, detail);
  }

  RunState ended(RunStatus s, Instant at, String why) {
    return new RunState(runId, template, templateVersion, s, params, jobs, createdAt, at, why);
  }
}
