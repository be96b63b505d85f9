package dev.baton.engine.decide;

/**
 * The fields of a RUN_QUEUED event's {@code outputs} when a run waits in its tenant's queue: the
 * tenant and its run quota, as data ({@code baton replay} reads them) beside the event's prose.
 */
public final class RunQueued {
  private RunQueued() {}

  public static final String TENANT = "tenant";

  public static final String MAX_RUNS = "maxRuns";
}
