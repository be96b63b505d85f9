package dev.baton.engine.state;

import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.decide.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where run state lives: runs, their fan-out instances and kept results. Every write is atomic and
 * guarded by a compare-and-set on the version.
 */
public interface RunStore {

  /**
   * Returns once the replicas the deployment asks for have every write made so far, or throws;
   * nothing to wait for by default. The engine calls it after each batch, before its outputs leave.
   */
  default void awaitReplicas() {}

  /**
   * The run's document and version, and the record of {@code eventId} if it was already applied.
   */
  StoredRun load(String runId, String eventId);

  /** A run and the event about to be applied to it. */
  record EventRef(String runId, String eventId) {}

  /**
   * Loads as {@link #load} does, one result per reference in order, in one round trip where the
   * store allows (a pipeline).
   */
  default List<StoredRun> loadAll(List<EventRef> refs) {
    return refs.stream().map(r -> load(r.runId(), r.eventId())).toList();
  }

  /** The fan-out instances a decision needs. */
  Map<String, ItemState> loadItems(String runId, Needs.ItemQuery query);

  /**
   * Writes the run's part of one applied event in one atomic step, if the stored version is still
   * the expected one; its {@link FollowUp} is for {@link #followUp}.
   *
   * @return {@link SaveResult#CONFLICT} when another writer got there first (reload and decide
   *     again), {@link SaveResult#ALREADY_APPLIED} when the event id is applied already
   * @throws FencedException when a task with a newer claim on the partition has written the run
   */
  SaveResult save(SaveRequest request);

  /**
   * Saves in order, as if one by one, in one round trip where the store allows (a pipeline); each
   * save is atomic on its own. Saves after a fenced one are not written.
   */
  default List<SaveResult> saveAll(List<SaveRequest> requests) {
    return requests.stream().map(this::save).toList();
  }

  /**
   * Makes the follow-up writes of saved (or re-emitted) events, in order. A store that writes them
   * in the save itself has nothing to do.
   *
   * @throws FencedException when a newer task has claimed a partition since the writer did
   */
  default void followUp(List<FollowUp> followUps) {}

  /** The kept result of a cached job for {@code key}, if there is one within its ttl. */
  default Optional<ResultCache.Entry> cachedResult(String template, String job, String key) {
    return Optional.empty();
  }

  /**
   * The outputs of every kept result of a cached job (what the artifact sweep must keep): bounded
   * by the cache's own bounds per template.
   */
  default List<Map<String, String>> keptResultOutputs() {
    return List.of();
  }

  /** Ids of the newest runs, newest first (from a bounded index, never a scan of keys). */
  List<String> recentRuns(int limit);

  /** The current state of a run, for status queries. */
  Optional<RunState> find(String runId);

  /**
   * The runs of {@code runIds} that exist, in that order, in one round trip where the store allows
   * (a pipeline).
   */
  default List<RunState> findAll(List<String> runIds) {
    return runIds.stream().map(this::find).flatMap(Optional::stream).toList();
  }

  /**
   * Takes the start claims of attempts the engine stopped ({@link dev.baton.redis.AttemptClaims}),
   * so that a dispatch of theirs still waiting on the topic is skipped rather than started and then
   * stopped. Attempts already started keep their claim.
   */
  default void withdraw(List<String> attemptIds) {}

  /**
   * Checks that the store still holds what the engine wrote: false once it has lost its data (a
   * Redis restarted empty), and from then on {@link #dataLostAt} says when that was seen.
   */
  default boolean keptItsData() {
    return true;
  }

  /** When the store was last seen to have lost its data, or null. */
  default Instant dataLostAt() {
    return null;
  }

  /** Whether the store answers within {@code timeout}, for readiness. */
  default boolean reachable(Duration timeout) {
    return true;
  }
}
