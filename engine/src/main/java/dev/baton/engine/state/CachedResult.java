package dev.baton.engine.state;

import java.util.Map;

/**
 * A succeeded attempt's outputs, kept as the result of {@code template}'s {@code job} for the
 * resolved cache {@code key} for {@code ttlMillis} ({@link ResultCache}).
 */
public record CachedResult(
    String template,
    String job,
    String key,
    Map<String, String> outputs,
    String attemptId,
    long ttlMillis) {
  public CachedResult {
    outputs = Map.copyOf(outputs);
  }
}
