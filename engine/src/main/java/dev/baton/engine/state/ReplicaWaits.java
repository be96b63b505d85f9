package dev.baton.engine.state;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.redisson.api.BatchOptions;
import org.redisson.api.BatchResult;
import org.redisson.api.RBatch;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisTimeoutException;
import org.redisson.client.codec.StringCodec;

/**
 * The saves' replica acknowledgements ({@code BATON_REDIS_REPLICA_ACKS}): a mark per shard, and
 * WAIT.
 */
final class ReplicaWaits {
  private final RedissonClient redisson;
  private final RedisKeys keys;
  private final boolean cluster;
  private final ReplicaAcks acks;
  private volatile List<String> replicaMarks;

  ReplicaWaits(RedissonClient redisson, RedisKeys keys, boolean cluster, ReplicaAcks acks) {
    this.redisson = redisson;
    this.keys = keys;
    this.cluster = cluster;
    this.acks = acks;
  }

  /**
   * With replica acks: one more write per shard, and {@code WAIT} on its connection. A master
   * replicates in one ordered stream, so once its replicas have this write they have every save
   * made before it on that master, on any connection. Fails when too few acknowledge within the
   * timeout.
   */
  void await() {
    if (acks.replicas() == 0) {
      return;
    }
    List<String> marks = replicaMarks;
    if (marks == null) {
      marks = ReplicaMarks.of(redisson, keys, cluster);
      replicaMarks = marks;
    }
    List<CompletableFuture<BatchResult<?>>> waits = new ArrayList<>();
    String now = Long.toString(System.currentTimeMillis());
    for (String key : marks) {
      RBatch mark =
          redisson.createBatch(BatchOptions.defaults().sync(acks.replicas(), acks.timeout()));
      var unused = // the reply is the batch's
          mark.getBucket(key, StringCodec.INSTANCE).setAsync(now);
      waits.add(mark.executeAsync().toCompletableFuture());
    }
    int least = Integer.MAX_VALUE;
    try {
      for (var wait : waits) {
        least = Math.min(least, wait.join().getSyncedSlaves());
      }
    } catch (RuntimeException e) {
      replicaMarks = null; // the shards may have changed: find them again
      throw e;
    }
    if (least < acks.replicas()) {
      replicaMarks = null;
      // A timeout, as the engine treats Redis being away: logged once a minute, applied again.
      throw new RedisTimeoutException(
          "Redis replicas did not acknowledge the saves: "
              + least
              + " of "
              + acks.replicas()
              + " within "
              + acks.timeout().toMillis()
              + " ms (BATON_REDIS_REPLICA_ACKS); the records are applied again");
    }
  }
}
