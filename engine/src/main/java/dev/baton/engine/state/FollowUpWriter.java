package dev.baton.engine.state;

import java.util.ArrayList;
import java.util.List;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Writes saves' follow-ups: the partition's timers and run index, admissions, tenant runs, kept
 * results.
 */
final class FollowUpWriter {
  private static final String PARTITION_FOLLOW_UP = LuaScripts.read("partition-follow-up");
  private static final String ADMISSION = LuaScripts.read("admission");

  private final RedissonClient redisson;
  private final RedisKeys keys;
  private final SaveScript saveScript;
  private final TenantRuns tenantRuns;
  private final ResultCache results;

  FollowUpWriter(
      RedissonClient redisson,
      RedisKeys keys,
      SaveScript saveScript,
      TenantRuns tenantRuns,
      ResultCache results) {
    this.redisson = redisson;
    this.keys = keys;
    this.saveScript = saveScript;
    this.tenantRuns = tenantRuns;
    this.results = results;
  }

  /**
   * Writes the follow-ups in one pipeline, in order. On a cluster the pipeline goes to each shard
   * apart; the writes of one key are in one shard, and keep their order there.
   */
  void write(List<FollowUp> followUps) {
    List<FollowUp> some = followUps.stream().filter(f -> !f.isEmpty()).toList();
    if (some.isEmpty()) {
      return;
    }
    RBatch batch = redisson.createBatch(BatchOptions.defaults());
    RScriptAsync pipelined = batch.getScript(StringCodec.INSTANCE);
    List<RFuture<Long>> fenced = new ArrayList<>();
    for (FollowUp f : some) {
      if (f.touchesPartition()) {
        SaveScript.Call call = saveScript.partition(f);
        fenced.add(
            pipelined.evalAsync(
                RScript.Mode.READ_WRITE,
                PARTITION_FOLLOW_UP,
                RScript.ReturnType.LONG,
                call.keys(),
                call.args()));
      }
      SaveRequest.Admission a = f.admission();
      if (a.op() != SaveRequest.Admission.Op.NONE) {
        if (a.op() == SaveRequest.Admission.Op.ENQUEUE) {
          var unusedSet = // the batch's execute() reports a failure
              batch.getSet(keys.limits(), StringCodec.INSTANCE).addAsync(a.template());
          var unusedMax =
              batch
                  .getMap(keys.limits() + ":max", StringCodec.INSTANCE)
                  .fastPutAsync(a.template(), Integer.toString(a.limit()));
        }
        SaveScript.Call call = saveScript.admission(f);
        var unused =
            pipelined.evalAsync(
                RScript.Mode.READ_WRITE,
                ADMISSION,
                RScript.ReturnType.LONG,
                call.keys(),
                call.args());
      }
      if (f.tenantRun() != null) {
        tenantRuns.change(pipelined, f.runId(), f.tenantRun());
      }
    }
    LuaScripts.execute(redisson, batch);
    for (int i = 0; i < fenced.size(); i++) {
      if (fenced.get(i).toCompletableFuture().join() == -1L) {
        FollowUp f = some.stream().filter(FollowUp::touchesPartition).toList().get(i);
        throw SaveScript.fenced(f.partition(), f.epoch(), "its timers for run " + f.runId());
      }
    }
    List<CachedResult> kept = some.stream().flatMap(f -> f.results().stream()).toList();
    if (!kept.isEmpty()) {
      results.keep(kept, System.currentTimeMillis());
    }
  }
}
