package dev.baton.engine.state;

import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.decide.RunState;
import dev.baton.events.TimerFired;
import dev.baton.redis.AttemptClaims;
import dev.baton.redis.RedisSettings;
import dev.baton.serde.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.client.protocol.ScoredEntry;

/**
 * Run state in Redis (design §5), on one Redis, Sentinel or a Redis Cluster ({@link RedisKeys}). A
 * run's keys share the hash tag {@code {id}}:
 *
 * <ul>
 *   <li>{@code baton:run:{id}} — hash: {@code version}, {@code epoch} (of its last writer), {@code
 *       state} (the run document without job outputs, JSON), {@code outputs} (job → outputs, JSON;
 *       rewritten only when a job's outputs change), and {@code applied:<event id>} → {@link
 *       AppliedEvent} (JSON) for each event applied lately
 *   <li>{@code baton:run:{id}:items} — hash: {@code job/index} → fan-out instance (JSON)
 *   <li>{@code baton:run:{id}:produced-order} — {@code size|id} of the produced records kept (as
 *       {@code produced:<event id>} in the run's hash), oldest first, to bound them by bytes
 *   <li>{@code baton:run:{id}:applied-order} — list of applied ids, oldest first, to bound the
 *       applied fields
 * </ul>
 *
 * A save writes only those, atomically. What else an event changes (timers and run index in its
 * partition's keys, its template's admission queue) is its {@link FollowUp}, written after the save
 * and again whenever the event is re-emitted, before the Kafka transaction commits.
 */
public final class RedisRunRepository implements RunRepository {
  private static final EventCodec<TimerFired> TIMERS = EventCodec.of(TimerFired.class);

  private static final String LOAD = LuaScripts.read("load");

  private static final String SAVE = LuaScripts.read("save");

  private final RedissonClient redisson;
  private final RScript script;
  private final ReplicaAcks acks;
  private final RedisKeys keys;
  private final SaveScript saveScript;
  private final boolean cluster;

  public RedisRunRepository(
      RedisSettings redis, String keyspace, int maxAppliedIds, Duration finishedRetention) {
    this(redis, keyspace, maxAppliedIds, finishedRetention, ReplicaAcks.NONE);
  }

  /**
   * With {@code acks}: every save returns only once that many replicas have it (Redis {@code
   * WAIT}), and fails when they do not within the timeout, so that a failover cannot lose a save
   * that Kafka then acted on.
   */
  public RedisRunRepository(
      RedisSettings redis,
      String keyspace,
      int maxAppliedIds,
      Duration finishedRetention,
      ReplicaAcks acks) {
    this.acks = acks;
    this.redisson = redis.connect(2, 8);
    this.script = redisson.getScript(StringCodec.INSTANCE);
    this.keys = new RedisKeys(keyspace);
    this.saveScript = new SaveScript(keys, maxAppliedIds, finishedRetention);
    this.cluster = redis.cluster();
    this.results = new ResultCache(redisson, keyspace);
    this.slots = new JobSlots(redisson, keyspace);
    this.tenantRuns = new TenantRuns(redisson, keyspace);
    this.replicas = new ReplicaWaits(redisson, keys, cluster, acks);
    this.followUpWriter = new FollowUpWriter(redisson, keys, saveScript, tenantRuns, results);
    this.partitions = new RedisPartitionServices(redisson, keys, cluster);
    this.marker = new DataMarker(redisson, keyspace);
  }

  private final DataMarker marker;

  private final ReplicaWaits replicas;
  private final FollowUpWriter followUpWriter;
  private final RedisPartitionServices partitions;

  private final JobSlots slots;
  private final TenantRuns tenantRuns;

  /** Each tenant's running and queued top-level runs. */
  @Override
  public TenantRuns tenantRuns() {
    return tenantRuns;
  }

  /** The deployment's job slots, shared between tenants. */
  @Override
  public JobSlots slots() {
    return slots;
  }

  private final ResultCache results;

  /** The results of cached jobs of this engine's keyspace. */
  public ResultCache results() {
    return results;
  }

  @Override
  public Optional<ResultCache.Entry> cachedResult(String template, String job, String key) {
    return results.find(template, job, key);
  }

  @Override
  public List<Map<String, String>> keptResultOutputs() {
    return results.keptOutputs();
  }

  public static String runKey(String runId) {
    return RedisKeys.run(runId);
  }

  @Override
  public StoredRun load(String runId, String eventId) {
    String run = runKey(runId);
    return stored(
        script.eval(RScript.Mode.READ_ONLY, LOAD, RScript.ReturnType.LIST, List.of(run), eventId));
  }

  @Override
  public List<StoredRun> loadAll(List<EventRef> refs) {
    if (refs.size() == 1) {
      return List.of(load(refs.get(0).runId(), refs.get(0).eventId()));
    }
    RBatch batch = redisson.createBatch(BatchOptions.defaults());
    RScriptAsync pipelined = batch.getScript(StringCodec.INSTANCE);
    for (EventRef ref : refs) {
      String run = runKey(ref.runId());
      var unused = // the batch's execute() returns the replies
          pipelined.evalAsync(
              RScript.Mode.READ_ONLY, LOAD, RScript.ReturnType.LIST, List.of(run), ref.eventId());
    }
    List<?> responses = LuaScripts.execute(redisson, batch).getResponses();
    List<StoredRun> out = new ArrayList<>(refs.size());
    for (Object response : responses) {
      out.add(stored((List<?>) response));
    }
    return out;
  }

  private static StoredRun stored(List<?> result) {
    long version = Long.parseLong(result.get(0).toString());
    String stateJson = result.get(1).toString();
    String appliedJson = result.get(2).toString();
    String outputsJson = result.get(3).toString();
    String producedJson = result.size() > 4 ? result.get(4).toString() : "";
    AppliedEvent applied =
        appliedJson.isEmpty() ? null : StateJson.read(appliedJson, AppliedEvent.class);
    if (applied != null && !producedJson.isEmpty()) {
      // Kept apart; an applied record written before carries its produced records itself.
      applied = applied.withProduced(StateJson.readProduced(producedJson));
    }
    return new StoredRun(
        stateJson.isEmpty() ? null : withOutputs(StateJson.readState(stateJson), outputsJson),
        version,
        applied);
  }

  private static RunState withOutputs(RunState state, String outputsJson) {
    return outputsJson.isEmpty() ? state : state.withOutputs(StateJson.readOutputs(outputsJson));
  }

  @Override
  public Map<String, ItemState> loadItems(String runId, Needs.ItemQuery query) {
    Map<String, ItemState> items = new LinkedHashMap<>();
    if (query.isEmpty()) {
      return items;
    }
    var hash = redisson.<String, String>getMap(runKey(runId) + ":items", StringCodec.INSTANCE);
    if (!query.allOf().isEmpty()) {
      hash.readAllMap()
          .forEach(
              (field, json) -> {
                if (query.allOf().contains(field.substring(0, field.lastIndexOf('/')))) {
                  items.put(field, StateJson.read(json, ItemState.class));
                }
              });
    }
    Set<String> fields = new LinkedHashSet<>();
    query
        .indexes()
        .forEach((job, indexes) -> indexes.forEach(i -> fields.add(ItemState.key(job, i))));
    fields.removeAll(items.keySet());
    if (!fields.isEmpty()) {
      hash.getAll(fields)
          .forEach((field, json) -> items.put(field, StateJson.read(json, ItemState.class)));
    }
    return items;
  }

  @Override
  public SaveResult save(SaveRequest r) {
    SaveScript.Call call = saveScript.call(r);
    return SaveScript.result(
        r,
        script.eval(
            RScript.Mode.READ_WRITE, SAVE, RScript.ReturnType.LONG, call.keys(), call.args()));
  }

  /** One pipeline for all: the engine writes a commit interval's saves in one round trip. */
  @Override
  public List<SaveResult> saveAll(List<SaveRequest> requests) {
    if (requests.size() == 1) {
      return List.of(save(requests.get(0)));
    }
    RBatch batch = redisson.createBatch(BatchOptions.defaults());
    RScriptAsync pipelined = batch.getScript(StringCodec.INSTANCE);
    for (SaveRequest r : requests) {
      SaveScript.Call call = saveScript.call(r);
      var unused = // the batch's execute() returns the replies
          pipelined.evalAsync(
              RScript.Mode.READ_WRITE, SAVE, RScript.ReturnType.LONG, call.keys(), call.args());
    }
    List<?> responses = LuaScripts.execute(redisson, batch).getResponses();
    List<SaveResult> results = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      results.add(SaveScript.result(requests.get(i), (Long) responses.get(i)));
    }
    return results;
  }

  @Override
  public void followUp(List<FollowUp> followUps) {
    followUpWriter.write(followUps);
  }

  @Override
  public void awaitReplicas() {
    replicas.await();
  }

  /** The newest of each partition's index (and of the index Baton kept before), merged. */
  @Override
  public List<String> recentRuns(int limit) {
    List<String> indexes = new ArrayList<>();
    for (String p : redisson.<String>getSet(keys.partitions(), StringCodec.INSTANCE).readAll()) {
      indexes.add(keys.runIndex(Integer.parseInt(p)));
    }
    if (!cluster) {
      indexes.add(keys.legacyRunIndex());
    }
    RBatch batch = redisson.createBatch(BatchOptions.defaults());
    List<RFuture<Collection<ScoredEntry<String>>>> replies = new ArrayList<>();
    for (String index : indexes) {
      replies.add(
          batch
              .<String>getScoredSortedSet(index, StringCodec.INSTANCE)
              .entryRangeReversedAsync(0, limit - 1));
    }
    LuaScripts.execute(redisson, batch);
    return replies.stream()
        .flatMap(r -> r.toCompletableFuture().join().stream())
        .sorted(Comparator.comparing(ScoredEntry<String>::getScore).reversed())
        .limit(limit)
        .map(ScoredEntry::getValue)
        .toList();
  }

  @Override
  public long claimPartition(int partition) {
    return partitions.claimPartition(partition);
  }

  @Override
  public List<TimerFired> leaseDueTimers(int partition, Instant now, int max, Duration lease) {
    return partitions.leaseDueTimers(partition, now, max, lease);
  }

  @Override
  public List<String> leaseAdmissions(Instant now, Duration lease) {
    return partitions.leaseAdmissions(now, lease);
  }

  @Override
  public void admitted(String template, String runId) {
    partitions.admitted(template, runId);
  }

  @Override
  public Instant scheduleMark(String template) {
    return partitions.scheduleMark(template);
  }

  @Override
  public void advanceScheduleMark(String template, Instant tick) {
    partitions.advanceScheduleMark(template, tick);
  }

  @Override
  public List<RunState> findAll(List<String> runIds) {
    if (runIds.isEmpty()) {
      return List.of();
    }
    RBatch batch = redisson.createBatch(BatchOptions.defaults());
    List<RFuture<Map<String, String>>> replies = new ArrayList<>();
    for (String id : runIds) {
      replies.add(
          batch
              .<String, String>getMap(runKey(id), StringCodec.INSTANCE)
              .getAllAsync(Set.of("state", "outputs")));
    }
    LuaScripts.execute(redisson, batch);
    List<RunState> found = new ArrayList<>();
    for (var reply : replies) {
      Map<String, String> fields = reply.toCompletableFuture().join();
      String json = fields.get("state");
      if (json != null) {
        String outputs = fields.get("outputs");
        found.add(withOutputs(StateJson.readState(json), outputs == null ? "" : outputs));
      }
    }
    return found;
  }

  @Override
  public Optional<RunState> find(String runId) {
    var hash = redisson.<String, String>getMap(runKey(runId), StringCodec.INSTANCE);
    String json = hash.get("state");
    String outputs = hash.get("outputs");
    return Optional.ofNullable(json)
        .map(j -> withOutputs(StateJson.readState(j), outputs == null ? "" : outputs));
  }

  @Override
  public boolean keptItsData() {
    return marker.keptItsData();
  }

  @Override
  public Instant dataLostAt() {
    return marker.dataLostAt();
  }

  @Override
  public void withdraw(List<String> attemptIds) {
    if (attemptIds.isEmpty()) {
      return;
    }
    RBatch batch = redisson.createBatch(BatchOptions.defaults());
    for (String id : attemptIds) {
      var unused = // the batch's execute() reports a failure
          batch
              .<String>getBucket(AttemptClaims.key(id), StringCodec.INSTANCE)
              .setIfAbsentAsync(AttemptClaims.STOPPED, AttemptClaims.KEEP);
    }
    LuaScripts.execute(redisson, batch);
  }

  @Override
  public boolean reachable(Duration timeout) {
    try {
      redisson
          .getBucket("baton:ping", StringCodec.INSTANCE)
          .isExistsAsync()
          .toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    redisson.shutdown();
  }
}
