package dev.baton.template;

import java.time.Duration;
import java.util.List;

/**
 * How a failed job is tried again: at most {@code limit} more attempts, waiting {@code initial *
 * factor^(n-1)} (at most {@code max}) before retry n, and only for the failures listed in {@code
 * on} (exit codes, or the kinds {@code failed}, {@code timeout}, {@code lost}); an empty {@code on}
 * retries every failure.
 */
public record RetrySpec(int limit, Duration initial, double factor, Duration max, List<String> on) {
  public static final List<String> KINDS = List.of("failed", "timeout", "lost");

  public RetrySpec {
    on = List.copyOf(on);
  }

  /** The wait before retry number {@code retry} (1 for the first retry). */
  public Duration backoff(int retry) {
    double millis = initial.toMillis() * Math.pow(factor, Math.max(0, retry - 1));
    return Duration.ofMillis((long) Math.min(millis, (double) max.toMillis()));
  }

  /** Whether a failure of this kind (and exit code, when it has one) is retried. */
  public boolean retries(String kind, Integer exitCode) {
    return on.isEmpty()
        || on.contains(kind)
        || (exitCode != null && on.contains(Integer.toString(exitCode)));
  }
}
