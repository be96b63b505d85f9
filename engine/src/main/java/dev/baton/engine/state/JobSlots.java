package dev.baton.engine.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The deployment's job slots ({@code BATON_JOB_CAPACITY}), shared between tenants by weight. An
 * attempt's dispatch goes out when it holds a slot; otherwise it waits in its tenant's queue, and
 * {@link #grant} hands free slots to the tenant with the fewest running jobs for its weight. A slot
 * is freed when the attempt reports its end or the engine stops it. A granted dispatch that no
 * dispatcher reports started within the lease is sent again (the dispatcher runs an attempt once).
 * Every key shares one hash tag, {@code {<app>/slots}}: each script is atomic, also on a cluster.
 */
public final class JobSlots {
  private static final String TAKE = LuaScripts.read("take-slot");
  private static final String RELEASE = LuaScripts.read("release-slot");
  private static final String GRANT = LuaScripts.read("grant-slots");

  /** How long a granted dispatch may go unreported before it is sent again. */
  public static final Duration LEASE = Duration.ofSeconds(30);

  private final RedissonClient redisson;
  private final String prefix;

  JobSlots(RedissonClient redisson, String keyspace) {
    this.redisson = redisson;
    this.prefix = "baton:slots:{" + keyspace + "/slots}:";
  }

  /**
   * What one tenant may have: its weight, at most {@code maxJobs} jobs and at most {@code maxRuns}
   * runs running at once (0: no limit).
   */
  public record Share(int weight, int maxJobs, int maxRuns) {
    public static final Share DEFAULT = new Share(1, 0, 0);
  }

  /** An attempt asks for a slot ({@code take}), ends or is stopped ({@code release}). */
  public record Request(
      boolean take, String attemptId, String tenant, byte[] record, Share share, int priority) {}

  /** A granted attempt's dispatch: its run id (the record key) and its record. */
  public record Grant(String attemptId, String runId, byte[] record) {}

  /** How the slots are held now. */
  public record Usage(
      int running, Map<String, Integer> runningByTenant, Map<String, Integer> queued) {}

  private List<Object> keys(String tenant) {
    return List.of(
        prefix + "running",
        prefix + "counts",
        prefix + "dispatch",
        prefix + "granted",
        prefix + "tenants",
        prefix + "queue:" + tenant,
        prefix + "seq");
  }

  /**
   * Applies the requests in order, in one pipeline; returns, for each, whether the attempt holds a
   * slot (always true for a release).
   */
  public List<Boolean> apply(List<Request> requests, int capacity, long now) {
    RBatch batch = redisson.createBatch(BatchOptions.defaults());
    var script = batch.getScript(StringCodec.INSTANCE);
    List<RFuture<Long>> replies = new ArrayList<>();
    for (Request r : requests) {
      String tenant = r.tenant() == null ? "" : r.tenant();
      if (r.take()) {
        replies.add(
            script.evalAsync(
                RScript.Mode.READ_WRITE,
                TAKE,
                RScript.ReturnType.LONG,
                keys(tenant),
                r.attemptId(),
                tenant,
                Base64.getEncoder().encodeToString(r.record()),
                Integer.toString(capacity),
                Long.toString(now),
                Long.toString(LEASE.toMillis()),
                Integer.toString(r.share().maxJobs()),
                Integer.toString(r.priority())));
      } else {
        replies.add(
            script.evalAsync(
                RScript.Mode.READ_WRITE,
                RELEASE,
                RScript.ReturnType.LONG,
                keys(tenant).subList(0, 6),
                r.attemptId(),
                tenant));
      }
    }
    LuaScripts.execute(redisson, batch);
    return replies.stream().map(f -> f.toCompletableFuture().join() == 1L).toList();
  }

  /** A dispatcher started the attempt: its grant need not be sent again. */
  public void started(List<String> attemptIds) {
    if (!attemptIds.isEmpty()) {
      redisson.getScoredSortedSet(prefix + "granted", StringCodec.INSTANCE).removeAll(attemptIds);
    }
  }

  /** Hands out free slots by weight ({@code shares} by tenant; absent: weight 1, no limit). */
  public List<Grant> grant(int capacity, Map<String, Share> shares, long now) {
    List<String> tenants =
        new ArrayList<>(
            redisson.<String>getSet(prefix + "tenants", StringCodec.INSTANCE).readAll());
    List<Object> keys = new ArrayList<>(keys("").subList(0, 5));
    keys.add(prefix + "held-at");
    keys.add(bucket(now / BUCKET_MS));
    List<Object> args = new ArrayList<>();
    args.add(Integer.toString(capacity));
    args.add(Long.toString(now));
    args.add(Long.toString(LEASE.toMillis()));
    args.add(Integer.toString(tenants.size()));
    for (String t : tenants) {
      Share s = shares.getOrDefault(t, Share.DEFAULT);
      keys.add(prefix + "queue:" + t);
      args.add(t);
      args.add(Integer.toString(s.weight()));
      args.add(Integer.toString(s.maxJobs()));
    }
    List<Object> out =
        redisson
            .getScript(StringCodec.INSTANCE)
            .eval(RScript.Mode.READ_WRITE, GRANT, RScript.ReturnType.LIST, keys, args.toArray());
    List<Grant> grants = new ArrayList<>();
    for (int i = 0; i + 1 < out.size(); i += 2) {
      String attempt = out.get(i).toString();
      grants.add(
          new Grant(
              attempt,
              attempt.substring(0, attempt.indexOf('/')),
              Base64.getDecoder().decode(out.get(i + 1).toString())));
    }
    return grants;
  }

  private static final long BUCKET_MS = 10_000;

  private String bucket(long index) {
    return prefix + "held:" + index;
  }

  /**
   * Slot time held over the last minute: per tenant the mean number of slots it held, from the
   * buckets of the last 60–70 s (each grant adds the time since the one before, so it is exact
   * while an engine grants and stops counting while none does).
   */
  public Map<String, Double> heldLastMinute(long now) {
    long current = now / BUCKET_MS;
    RBatch batch = redisson.createBatch(BatchOptions.defaults());
    List<RFuture<Map<String, String>>> buckets = new ArrayList<>();
    for (long b = current - 6; b <= current; b++) {
      buckets.add(batch.<String, String>getMap(bucket(b), StringCodec.INSTANCE).readAllMapAsync());
    }
    LuaScripts.execute(redisson, batch);
    Map<String, Long> ms = new LinkedHashMap<>();
    for (var f : buckets) {
      f.toCompletableFuture().join().forEach((t, v) -> ms.merge(t, Long.parseLong(v), Long::sum));
    }
    long elapsed = ms.getOrDefault("*", 0L);
    Map<String, Double> out = new LinkedHashMap<>();
    ms.forEach(
        (t, v) -> {
          if (!"*".equals(t) && elapsed > 0) {
            out.put(t, (double) v / elapsed);
          }
        });
    return out;
  }

  /** Running and queued attempts, by tenant. */
  public Usage usage() {
    Map<String, Integer> running = new LinkedHashMap<>();
    redisson
        .<String, String>getMap(prefix + "counts", StringCodec.INSTANCE)
        .readAllMap()
        .forEach((t, n) -> running.put(t, Integer.parseInt(n)));
    Map<String, Integer> queued = new LinkedHashMap<>();
    for (String t : redisson.<String>getSet(prefix + "tenants", StringCodec.INSTANCE).readAll()) {
      queued.put(
          t, redisson.getScoredSortedSet(prefix + "queue:" + t, StringCodec.INSTANCE).size());
    }
    int total = redisson.getMap(prefix + "running", StringCodec.INSTANCE).size();
    return new Usage(total, running, queued);
  }
}
