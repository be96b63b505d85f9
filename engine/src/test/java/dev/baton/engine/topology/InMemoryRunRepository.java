package dev.baton.engine.topology;

import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.AppliedEvent;
import dev.baton.engine.state.RunRepository;
import dev.baton.engine.state.StoredRun;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A run repository in memory with the same contract as Redis's: CAS on version, applied ids. For topology tests. */
final class InMemoryRunRepository implements RunRepository {
  final Map<String, RunState> states = new HashMap<>();
  final Map<String, Long> versions = new HashMap<>();
  final Map<String, AppliedEvent> applied = new HashMap<>();
  /** When positive, that many saves fail as if another writer had applied first. */
  int conflictsToSimulate;
  int saves;

  @Override
  public synchronized StoredRun load(String runId, String eventId) {
    return new StoredRun(states.get(runId), versions.getOrDefault(runId, 0L), applied.get(runId + "|" + eventId));
  }

  @Override
  public synchronized boolean save(String runId, long expectedVersion, RunState state, String eventId, AppliedEvent event) {
    if (conflictsToSimulate > 0) {
      conflictsToSimulate--;
      versions.merge(runId, 1L, Long::sum);
      return false;
    }
    if (versions.getOrDefault(runId, 0L) != expectedVersion) {
      return false;
    }
    saves++;
    versions.put(runId, expectedVersion + 1);
    states.put(runId, state);
    applied.put(runId + "|" + eventId, event);
    return true;
  }

  @Override
  public synchronized Optional<RunState> find(String runId) {
    return Optional.ofNullable(states.get(runId));
  }

  @Override
  public void close() {}
}
