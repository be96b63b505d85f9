package dev.baton.engine.decide;

import dev.baton.events.WorkflowTrigger;
import dev.baton.template.Template;
import java.util.Map;
import java.util.Objects;

/**
 * What a trigger must be to start a run: parameters the template declares, within {@link
 * #MAX_PARAM_BYTES}; and what a trigger for a run that exists is. The engine, the API and the
 * trigger rules check alike.
 */
public final class TriggerChecks {
  private TriggerChecks() {}

  /**
   * Why a trigger for the run {@code state}, which exists, is refused for all to see (null: it is a
   * trigger sent again, dropped as a duplicate). A trigger that names its run id asks for a new
   * run: it is refused. One identified by its idempotency key, and a child's trigger sent again by
   * its own parent, are the same request again.
   */
  public static String forExistingRun(RunState state, WorkflowTrigger trigger) {
    if (trigger.getRunId() == null || trigger.getRunId().isBlank()) {
      return null;
    }
    var link = trigger.getParent();
    RunState.Parent parent = state.parent();
    if (link != null
        && parent != null
        && parent.runId().equals(link.getRunId())
        && parent.job().equals(link.getJob())
        && Objects.equals(parent.item(), link.getItem())
        && parent.attempt() == link.getAttempt()) {
      return null;
    }
    return "run '"
        + state.runId()
        + "' already exists (started "
        + state.createdAt()
        + "); a run id starts one run, so this trigger started nothing";
  }

  /**
   * Fills {@code params} with the trigger's parameters and the template's defaults, or returns why
   * they cannot start a run: too large, unknown, or a required one missing. The API checks a run's
   * start with it too.
   */
  public static String paramsRefused(
      Map<String, String> given, Template template, Map<String, String> params) {
    long paramBytes = paramBytes(given);
    if (paramBytes > MAX_PARAM_BYTES) {
      return "parameters are "
          + paramBytes
          + " bytes; a trigger may carry at most "
          + MAX_PARAM_BYTES
          + " (pass a reference to larger data, such as an object-store URL)";
    }
    for (Map.Entry<String, String> g : given.entrySet()) {
      if (!template.params().containsKey(g.getKey())) {
        return "unknown parameter '"
            + g.getKey()
            + "' for template '"
            + template.name()
            + "' (declared: "
            + String.join(", ", template.params().keySet())
            + ")";
      }
      params.put(g.getKey(), g.getValue());
    }
    for (var spec : template.params().values()) {
      if (!params.containsKey(spec.name())) {
        if (spec.required()) {
          return "missing required parameter '"
              + spec.name()
              + "' for template '"
              + template.name()
              + "'";
        }
        params.put(spec.name(), spec.defaultValue() == null ? "" : spec.defaultValue());
      }
    }
    return null;
  }

  /** Most bytes (UTF-8, names and values) of a trigger's parameters. */
  public static final int MAX_PARAM_BYTES = 256 * 1024;

  /** UTF-8 bytes of the parameters' names and values. */
  public static long paramBytes(Map<String, String> params) {
    long bytes = 0;
    for (Map.Entry<String, String> p : params.entrySet()) {
      bytes += utf8Length(p.getKey()) + utf8Length(p.getValue());
    }
    return bytes;
  }

  private static long utf8Length(String s) {
    if (s == null) {
      return 0;
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
  }
}
