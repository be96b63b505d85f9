package dev.baton.cli.bench;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.redisson.Redisson;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/** Redis's own ceiling through the client the engine uses: one command at a time, and pipelined. */
final class RedisCeiling implements AutoCloseable {
  record Result(
      double sequentialPerSecond, double p50Micros, double p99Micros, double pipelinedPerSecond) {}

  private final RedissonClient redis;

  RedisCeiling(String url) {
    Config config = new Config();
    config.useSingleServer().setAddress(url);
    redis = Redisson.create(config);
  }

  Result measure(Duration each) {
    RBucket<String> bucket = redis.getBucket("baton:bench:ping", StringCodec.INSTANCE);
    bucket.set("x");
    Latencies latencies = new Latencies();
    long end = System.nanoTime() + each.toNanos();
    long ops = 0;
    long begin = System.nanoTime();
    while (System.nanoTime() < end) {
      long t = System.nanoTime();
      bucket.get();
      latencies.add((System.nanoTime() - t) / 1000);
      ops++;
    }
    double sequential = ops / ((System.nanoTime() - begin) / 1e9);
    end = System.nanoTime() + each.toNanos();
    ops = 0;
    begin = System.nanoTime();
    while (System.nanoTime() < end) {
      RBatch batch = redis.createBatch(BatchOptions.defaults());
      for (int i = 0; i < 1000; i++) {
        var unused = batch.getBucket("baton:bench:ping", StringCodec.INSTANCE).getAsync();
      }
      batch.execute();
      ops += 1000;
    }
    double pipelined = ops / ((System.nanoTime() - begin) / 1e9);
    bucket.delete();
    return new Result(
        sequential,
        latencies.percentileMillis(50) * 1000,
        latencies.percentileMillis(99) * 1000,
        pipelined);
  }

  /** Commands the server has processed since it started (INFO stats). */
  long commandsProcessed() {
    RedisNode node = redis.getRedisNodes(RedisNodes.SINGLE).getInstance();
    return Long.parseLong(node.info(RedisNode.InfoSection.STATS).get("total_commands_processed"));
  }

  /** Calls so far per command name, commands run inside scripts included (INFO commandstats). */
  Map<String, Long> commandCalls() {
    RedisNode node = redis.getRedisNodes(RedisNodes.SINGLE).getInstance();
    Map<String, Long> calls = new TreeMap<>();
    node.info(RedisNode.InfoSection.COMMANDSTATS)
        .forEach(
            (key, value) -> {
              Matcher m = Pattern.compile("calls=(\\d+)").matcher(value);
              if (key.startsWith("cmdstat_") && m.find()) {
                calls.put(key.substring("cmdstat_".length()), Long.parseLong(m.group(1)));
              }
            });
    return calls;
  }

  @Override
  public void close() {
    redis.shutdown();
  }
}
