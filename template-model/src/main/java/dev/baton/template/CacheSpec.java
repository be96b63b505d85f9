package dev.baton.template;

import java.time.Duration;

/**
 * A job's {@code cache}: when a succeeded result of the same template, job and resolved {@code key}
 * was stored less than {@code ttl} ago, the job is not run and that result's outputs are its own.
 */
public record CacheSpec(String key, Duration ttl) {
  /** How long a result is kept unless the template says. */
  public static final Duration DEFAULT_TTL = Duration.ofDays(7);

  /** The longest a result may be kept. */
  public static final Duration MAX_TTL = Duration.ofDays(365);

  /** Most characters of a resolved key: the store keeps its hash, the event shows it. */
  public static final int MAX_KEY_CHARS = 1024;
}
