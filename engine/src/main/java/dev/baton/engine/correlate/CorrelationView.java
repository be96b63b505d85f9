package dev.baton.engine.correlate;

import java.time.Instant;
import java.util.List;

/**
 * One correlation key as the API and CLI show it: who waits on it, what events it keeps (times as
 * ISO-8601 text).
 */
public record CorrelationView(String topic, String key, List<Waiter> waiting, List<Kept> events) {
  /** An attempt waiting, until {@code until} (null: no timeout). */
  public record Waiter(String runId, String job, int attempt, String until) {}

  /** A kept event, its arrival and when it expires. */
  public record Kept(String id, String at, String expires, List<String> waits) {}

  /** Most keys one listing shows. */
  public static final int MAX_LISTED = 1_000;

  /**
   * The keys of {@code store} (a correlation processor's) with anything left at {@code now}, at
   * most {@link #MAX_LISTED}.
   */
  public static List<CorrelationView> list(
      org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, String> store, long now) {
    List<CorrelationView> out = new java.util.ArrayList<>();
    try (var it = store.all()) {
      while (it.hasNext() && out.size() < MAX_LISTED) {
        var kv = it.next();
        try {
          Correlations c = CorrelationRecord.JSON.readValue(kv.value, Correlations.class);
          c.expire(now);
          if (!c.isEmpty()) {
            out.add(of(kv.key, c));
          }
        } catch (java.io.IOException e) {
          // a value this version cannot read is not listed
        }
      }
    }
    return out;
  }

  /** The view of {@code c}, stored under {@code storeKey} (topic/key). */
  static CorrelationView of(String storeKey, Correlations c) {
    int slash = storeKey.indexOf('/');
    return new CorrelationView(
        storeKey.substring(0, slash),
        storeKey.substring(slash + 1),
        c.waiting.stream()
            .map(
                w ->
                    new Waiter(
                        w.runId(),
                        w.job(),
                        w.attempt(),
                        w.until() == null ? null : Instant.ofEpochMilli(w.until()).toString()))
            .toList(),
        c.events.stream()
            .map(
                k ->
                    new Kept(
                        k.id(),
                        Instant.ofEpochMilli(k.at()).toString(),
                        Instant.ofEpochMilli(k.expires()).toString(),
                        List.copyOf(k.rules().keySet())))
            .toList());
  }
}
