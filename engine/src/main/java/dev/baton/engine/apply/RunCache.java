package dev.baton.engine.apply;

import dev.baton.engine.decide.RunState;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The runs a task applied lately, as they are in Redis after its saves (or will be, once the saves
 * of the batch being applied are written): state without instances, version, and the event ids
 * applied through this cache. The task owns the runs' partition, so their Redis copy changes only
 * through it. Least recently used first out, when a batch is done ({@link #trim}).
 */
public final class RunCache {
  /** A cached run; {@code appliedIds}: events applied to it by this task since it was cached. */
  public record Entry(RunState state, long version, Set<String> appliedIds) {
    boolean applied(String eventId) {
      return appliedIds.contains(eventId);
    }
  }

  private static final int MAX_IDS_PER_RUN = 64;
  private final int capacity;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(1024, 0.75f, true);

  public RunCache(int capacity) {
    this.capacity = capacity;
  }

  public Entry get(String runId) {
    return entries.get(runId);
  }

  /** Records the run as saved (or about to be) at {@code version} by applying {@code eventId}. */
  public void put(String runId, RunState state, long version, String eventId) {
    Entry old = entries.get(runId);
    Set<String> ids = old == null ? new HashSet<>() : old.appliedIds();
    if (ids.size() >= MAX_IDS_PER_RUN) {
      ids.clear(); // older ids are still checked by Redis's save, which refuses an applied id
    }
    ids.add(eventId);
    entries.put(runId, new Entry(state, version, ids));
  }

  public void remove(String runId) {
    entries.remove(runId);
  }

  public void clear() {
    entries.clear();
  }

  /** Drops the least recently used runs beyond the capacity. */
  public void trim() {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (entries.size() > capacity && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
