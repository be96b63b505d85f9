package dev.baton.redis;

import java.time.Duration;

/**
 * The Redis key that says an attempt may not be started again: a dispatcher sets it ("started")
 * when it starts the attempt, the engine ("stopped") when it stops an attempt that no dispatcher
 * may have started yet, so a dispatch still waiting on the topic is skipped. Either way SET NX: the
 * first writer wins.
 */
public final class AttemptClaims {
  private AttemptClaims() {}

  /** How long a claim is kept: longer than any dispatch waits on the topic. */
  public static final Duration KEEP = Duration.ofDays(7);

  public static final String STARTED = "started";
  public static final String STOPPED = "stopped";

  public static String key(String attemptId) {
    return "baton:attempt:{" + attemptId + "}";
  }
}
