package dev.baton.engine.state;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.cluster.ClusterSlotRange;
import org.redisson.connection.CRC16;

/**
 * The keys that replica acknowledgements are asked on: one for a single Redis; on a cluster one per
 * shard, each hashing into a slot of its shard, because a shard's replicas acknowledge only their
 * own master's writes.
 */
final class ReplicaMarks {
  private static final int SLOTS = 16384;
  private static final int MAX_TRIES = 1_000_000;

  private ReplicaMarks() {}

  static List<String> of(RedissonClient redisson, RedisKeys keys, boolean cluster) {
    if (!cluster) {
      return List.of(keys.replicaMark("0"));
    }
    var master = redisson.getRedisNodes(RedisNodes.CLUSTER).getMasters().iterator().next();
    Map<String, List<ClusterSlotRange>> shards = new LinkedHashMap<>();
    for (Map.Entry<ClusterSlotRange, Set<String>> e : master.clusterSlots().entrySet()) {
      String shard = new TreeSet<>(e.getValue()).toString(); // a shard's nodes
      shards.computeIfAbsent(shard, k -> new ArrayList<>()).add(e.getKey());
    }
    List<String> marks = new ArrayList<>();
    for (List<ClusterSlotRange> ranges : shards.values()) {
      marks.add(markIn(keys, ranges));
    }
    return marks;
  }

  private static String markIn(RedisKeys keys, List<ClusterSlotRange> ranges) {
    for (int i = 0; i < MAX_TRIES; i++) {
      String tag = Integer.toString(i);
      int slot =
          CRC16.crc16((keys.keyspace() + "/" + tag).getBytes(StandardCharsets.UTF_8)) % SLOTS;
      if (ranges.stream().anyMatch(r -> r.hasSlot(slot))) {
        return keys.replicaMark(tag);
      }
    }
    throw new IllegalStateException("no key hashes into the Redis Cluster slots " + ranges);
  }
}
