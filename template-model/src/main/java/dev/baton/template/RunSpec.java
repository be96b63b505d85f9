package dev.baton.template;

import java.util.Map;

/**
 * A job's {@code run}: it starts a run of {@code template} (its latest version) with {@code params}
 * (references resolved in the parent, {@code ${item}} with {@code forEach}) and ends as that child
 * run ends, with the child's declared outputs as its own. Errors found when templates are applied
 * together name the job's field path.
 */
public record RunSpec(String template, Map<String, String> params) {
  /** Most levels of runs inside runs: a top-level run is level 0. */
  public static final int MAX_DEPTH = 8;

  public RunSpec {
    params = Ordered.copy(params);
  }
}
