package dev.baton.dispatcher;

import dev.baton.events.JobDispatch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The variables every job gets, whatever runs it: the template's {@code env} (with the job's {@code
 * BATON_ATTEMPT_TOKEN}, which the dispatcher adds), then who the job is and where its outputs go.
 * Documented in docs/templates.md ("A job's environment").
 */
public final class JobEnvironment {
  private JobEnvironment() {}

  public static Map<String, String> of(JobDispatch d, String outputsFile) {
    Map<String, String> env = new LinkedHashMap<>(d.getEnv());
    env.put("BATON_RUN_ID", d.getRunId());
    env.put("BATON_JOB", d.getJob());
    env.put("BATON_ATTEMPT", Integer.toString(d.getAttempt()));
    env.put("BATON_ATTEMPT_ID", d.getAttemptId());
    env.put("BATON_TEMPLATE", d.getTemplate());
    if (d.getItem() != null) {
      env.put("BATON_ITEM_INDEX", Integer.toString(d.getItem()));
    }
    env.put("BATON_OUTPUTS", outputsFile);
    return env;
  }
}
