package dev.baton.engine.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.redis.RedisClusterProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisRunRepositoryCases} on a Redis Cluster of 3 masters (real redis-server processes,
 * created by redis-cli): no script may touch two slots, or the cluster refuses it (CROSSSLOT).
 */
class RedisRunRepositoryClusterIT extends RedisRunRepositoryCases {
  @BeforeAll
  static void connect() throws IOException {
    Path dir = Files.createTempDirectory("baton-repo-cluster");
    RedisClusterProcess cluster =
        RedisClusterProcess.start(dir, 3, 0, RedisRunRepositoryCases::freePort);
    server =
        () -> {
          cluster.close();
          try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          }
        };
    open(cluster.url());
  }

  @Test
  void theKeysOfARunAPartitionAndATemplateAreSpreadOverTheShards() {
    Map<String, Integer> slots =
        Map.of(
            "run a", redis.getKeys().getSlot(RedisKeys.run("a")),
            "run b", redis.getKeys().getSlot(RedisKeys.run("b")),
            "partition 0", redis.getKeys().getSlot(new RedisKeys("k").timers(0)),
            "partition 1", redis.getKeys().getSlot(new RedisKeys("k").timers(1)));
    assertEquals(
        redis.getKeys().getSlot(new RedisKeys("k").timers(0)),
        redis.getKeys().getSlot(new RedisKeys("k").runIndex(0)),
        "a partition's keys share a slot");
    assertEquals(
        redis.getKeys().getSlot(RedisKeys.run("a")),
        redis.getKeys().getSlot(RedisKeys.run("a") + ":items"),
        "a run's keys share a slot");
    Set<Integer> distinct = slots.values().stream().collect(Collectors.toSet());
    assertEquals(4, distinct.size(), "runs and partitions are not tied to one slot: " + slots);
  }
}
