package dev.baton.engine.decide;

import java.util.LinkedHashMap;
import java.util.Map;

/** The variables CEL expressions see: params, jobs (outputs and status), run (id). */
final class Variables {
  private Variables() {}

  static Map<String, Object> of(RunState run) {
    Map<String, Object> jobs = new LinkedHashMap<>();
    run.jobs()
        .forEach(
            (name, job) ->
                jobs.put(name, Map.of("outputs", job.outputs(), "status", job.status().name())));
    return Map.of("params", run.params(), "jobs", jobs, "run", Map.of("id", run.runId()));
  }
}
