package dev.baton.engine.state;

import dev.baton.engine.decide.EngineCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Each tenant's running top-level runs and its queue of runs waiting for its run quota ({@code
 * maxRuns} in the tenants file). Every run that starts or ends is counted, quota or not, so a quota
 * set later counts the runs already going. A run of a tenant with a quota waits in the queue
 * (priority, then arrival); {@link #lease} lets runs out while the tenant runs fewer than its quota
 * as the file says at that moment, and counts each as running at once. Every key shares one hash
 * tag, {@code {<app>/tenant-runs}}: each script is atomic, also on a cluster.
 */
public final class TenantRuns {
  private static final String CHANGE = LuaScripts.read("tenant-run");
  private static final String LEASE = LuaScripts.read("lease-tenant-runs");

  /** How long an admission may go unapplied before its ADMIT is sent again. */
  public static final Duration ADMISSION_LEASE = Duration.ofSeconds(10);

  private final RedissonClient redisson;
  private final String prefix;

  TenantRuns(RedissonClient redisson, String keyspace) {
    this.redisson = redisson;
    this.prefix = "baton:tenant-runs:{" + keyspace + "/tenant-runs}:";
  }

  /** Running and queued top-level runs, by tenant. */
  public record Usage(Map<String, Integer> running, Map<String, Integer> queued) {}

  private List<Object> keys(String tenant) {
    return List.of(
        prefix + "running:" + tenant,
        prefix + "queue:" + tenant,
        prefix + "queued",
        prefix + "running",
        prefix + "admitting",
        prefix + "seq");
  }

  /** Adds the change of {@code runId}'s place to a pipeline. */
  void change(RScriptAsync pipeline, String runId, EngineCommand.TenantRun change) {
    var unused = // the pipeline's execute() reports a failure
        pipeline.evalAsync(
            RScript.Mode.READ_WRITE,
            CHANGE,
            RScript.ReturnType.LONG,
            keys(change.tenant()),
            change.op().name(),
            runId,
            change.tenant(),
            Integer.toString(change.priority()),
            change.queued() ? "1" : "0");
  }

  /** Forgets {@code runId}, which ended (an admission that came after its end). */
  public void ended(String tenant, String runId) {
    var pipeline = redisson.getScript(StringCodec.INSTANCE);
    pipeline.eval(
        RScript.Mode.READ_WRITE,
        CHANGE,
        RScript.ReturnType.LONG,
        keys(tenant),
        EngineCommand.TenantRun.Op.END.name(),
        runId,
        tenant,
        "0",
        "1");
  }

  /**
   * Lets queued runs out under {@code maxRuns} (by tenant; absent or 0: no limit), at most {@code
   * budget} this call, and returns every run whose admission is due to be sent (new, or not applied
   * within {@link #ADMISSION_LEASE}).
   */
  public List<String> lease(Map<String, Integer> maxRuns, long now, int budget) {
    List<String> tenants =
        new ArrayList<>(redisson.<String>getSet(prefix + "queued", StringCodec.INSTANCE).readAll());
    List<Object> keys = new ArrayList<>();
    keys.add(prefix + "queued");
    keys.add(prefix + "running");
    keys.add(prefix + "admitting");
    List<Object> args = new ArrayList<>();
    args.add(Long.toString(now));
    args.add(Long.toString(ADMISSION_LEASE.toMillis()));
    args.add(Integer.toString(budget));
    args.add(Integer.toString(tenants.size()));
    for (String t : tenants) {
      keys.add(prefix + "running:" + t);
      keys.add(prefix + "queue:" + t);
      args.add(t);
      args.add(Integer.toString(Math.max(0, maxRuns.getOrDefault(t, 0))));
    }
    List<Object> out =
        redisson
            .getScript(StringCodec.INSTANCE)
            .eval(RScript.Mode.READ_WRITE, LEASE, RScript.ReturnType.LIST, keys, args.toArray());
    return out.stream().map(Object::toString).toList();
  }

  /** Running and queued top-level runs of every tenant that has some. */
  public Usage usage() {
    Map<String, Integer> running = new LinkedHashMap<>();
    for (String t : redisson.<String>getSet(prefix + "running", StringCodec.INSTANCE).readAll()) {
      running.put(t, redisson.getSet(prefix + "running:" + t, StringCodec.INSTANCE).size());
    }
    Map<String, Integer> queued = new LinkedHashMap<>();
    for (String t : redisson.<String>getSet(prefix + "queued", StringCodec.INSTANCE).readAll()) {
      queued.put(
          t, redisson.getScoredSortedSet(prefix + "queue:" + t, StringCodec.INSTANCE).size());
    }
    return new Usage(running, queued);
  }
}
