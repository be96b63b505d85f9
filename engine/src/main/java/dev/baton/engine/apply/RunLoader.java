package dev.baton.engine.apply;

import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.state.RunStore;
import dev.baton.engine.state.StoredRun;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a batch reads from Redis before it decides: the runs not held in memory, in one pipeline,
 * and the fan-out instances a decision needs.
 */
public final class RunLoader {
  private final RunStore runs;
  private final EngineCounters counters;
  private final RunCache cache;

  public RunLoader(RunStore runs, EngineCounters counters, RunCache cache) {
    this.runs = runs;
    this.counters = counters;
    this.cache = cache;
  }

  /** One load per record whose run is not in memory, in one pipeline; null where none is needed. */
  public List<StoredRun> uncached(List<RunApplier.Input> inputs) {
    List<RunStore.EventRef> refs = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      RunApplier.Input in = inputs.get(i);
      if (in.error() == null && cache.get(in.runId()) == null) {
        refs.add(new RunStore.EventRef(in.runId(), in.eventId()));
        at.add(i);
      }
    }
    List<StoredRun> loaded = new ArrayList<>(Collections.nCopies(inputs.size(), (StoredRun) null));
    if (!refs.isEmpty()) {
      List<StoredRun> results = counters.timeRedis("load-batch", () -> runs.loadAll(refs));
      for (int k = 0; k < at.size(); k++) {
        loaded.set(at.get(k), results.get(k));
      }
    }
    return loaded;
  }

  /** Instances from Redis, overlaid with those changed by decisions of this batch not yet saved. */
  public Map<String, ItemState> items(
      String runId, Needs.ItemQuery needs, Map<String, ItemState> unsaved) {
    Map<String, ItemState> items =
        new LinkedHashMap<>(counters.timeRedis("load-items", () -> runs.loadItems(runId, needs)));
    unsaved.forEach(
        (key, item) -> {
          if (needs.allOf().contains(item.job())
              || needs.indexes().getOrDefault(item.job(), Set.of()).contains(item.index())) {
            items.put(key, item);
          }
        });
    return items;
  }
}
