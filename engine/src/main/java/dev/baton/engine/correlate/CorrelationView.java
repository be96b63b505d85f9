package dev.baton.engine.correlate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

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
  public static List<CorrelationView> list(ReadOnlyKeyValueStore<String, String> store, long now) {
    List<CorrelationView> out = new ArrayList<>();
    EntryStore copy = EntryStore.inMemory();
    String current = null;
    try (var it = store.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        String key = Correlations.keyOf(kv.key);
        if (!key.equals(current)) {
          add(out, copy, current, now);
          if (out.size() >= MAX_LISTED) {
            return out;
          }
          copy = EntryStore.inMemory();
          current = key;
        }
        copy.put(kv.key, kv.value);
      }
    }
    add(out, copy, current, now);
    return out;
  }

  /** Adds the view of {@code key}, whose entries are in {@code entries}, if it holds anything. */
  private static void add(List<CorrelationView> out, EntryStore entries, String key, long now) {
    if (key == null) {
      return;
    }
    Correlations c = new Correlations(entries, EntryStore.inMemory(), key);
    c.migrate();
    var waiters = c.waiters(now);
    var kept = c.kept(now);
    if (waiters.isEmpty() && kept.isEmpty()) {
      return;
    }
    int slash = key.indexOf('/');
    out.add(
        new CorrelationView(
            key.substring(0, slash),
            key.substring(slash + 1),
            waiters.stream()
                .map(
                    w ->
                        new Waiter(
                            w.runId(),
                            w.job(),
                            w.attempt(),
                            w.until() == null ? null : Instant.ofEpochMilli(w.until()).toString()))
                .toList(),
            kept.stream()
                .map(
                    k ->
                        new Kept(
                            k.id(),
                            Instant.ofEpochMilli(k.at()).toString(),
                            Instant.ofEpochMilli(k.expires()).toString(),
                            List.copyOf(k.rules().keySet())))
                .toList()));
  }
}
