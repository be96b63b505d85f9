package dev.baton.engine.state;

import dev.baton.engine.decide.RunState;
import java.util.Optional;

/** Where run state lives. Every write is atomic and guarded by a compare-and-set on the version. */
public interface RunRepository extends AutoCloseable {

  /** The run's state and version, and the record of {@code eventId} if it was already applied. */
  StoredRun load(String runId, String eventId);

  /**
   * Writes the new state, and records {@code eventId} as applied with what it produced, in one
   * atomic step, if the stored version is still {@code expectedVersion}.
   *
   * @return false on a version conflict (another writer got there first): reload and decide again
   */
  boolean save(String runId, long expectedVersion, RunState state, String eventId, AppliedEvent applied);

  /** The current state of a run, for status queries. */
  Optional<RunState> find(String runId);

  @Override
  void close();
}
