package dev.baton.engine.state;

import java.time.Duration;

/**
 * How many Redis replicas must have a save before the engine goes on ({@code
 * BATON_REDIS_REPLICA_ACKS}, default 0), and how long it waits for them ({@code
 * BATON_REDIS_REPLICA_TIMEOUT_MS}, default 1000): a save they do not acknowledge in time fails, and
 * its records are applied again.
 */
public record ReplicaAcks(int replicas, Duration timeout) {
  public static final ReplicaAcks NONE = new ReplicaAcks(0, Duration.ofSeconds(1));

  public ReplicaAcks {
    if (replicas < 0) {
      throw new IllegalArgumentException("BATON_REDIS_REPLICA_ACKS must be 0 or more");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("BATON_REDIS_REPLICA_TIMEOUT_MS must be at least 1");
    }
  }
}
