package dev.baton.engine.decide;

/**
 * How many runs of each tenant may run at once, as the engine's tenants file says when a record is
 * applied (0: no limit). An input of {@link Decider#decide} beside the record: it decides whether a
 * new or admitted run starts or waits in its tenant's queue.
 */
@FunctionalInterface
public interface RunQuotas {
  RunQuotas NONE = tenant -> 0;

  /** The reason of the ADMIT command that lets a run out of its tenant's queue. */
  String TENANT_ADMISSION = "its tenant may start another run";

  int maxRuns(String tenant);
}
