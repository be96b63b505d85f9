package dev.baton.cli.chaos;

import dev.baton.cli.dev.BrokerProcess;
import dev.baton.cli.dev.ChildProcess;
import dev.baton.cli.dev.DevFiles;
import dev.baton.redis.RedisClusterProcess;
import dev.baton.redis.RedisServerProcess;
import dev.baton.security.AttemptTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything of a chaos run, each in its own process on this machine: a KRaft broker, Redis with an
 * append-only file (or a Redis Cluster of 3 masters with a replica each), engines and two
 * dispatchers (local runtime). Short session timeouts, so a killed member's partitions move within
 * seconds.
 */
final class ChaosCluster implements AutoCloseable {
  final Path work;
  final int kafkaPort = DevFiles.freePort();
  final int controllerPort = DevFiles.freePort();
  final int redisPort = DevFiles.freePort();
  ChildProcess broker;
  RedisServerProcess redis;
  RedisClusterProcess redisCluster;

  /**
   * With a Redis Cluster, engines wait for a replica's acknowledgement of their saves before their
   * records leave ({@code BATON_REDIS_REPLICA_ACKS=1}): a master killed then loses nothing.
   */
  boolean replicaAcks;

  final List<ChildProcess> engines = new ArrayList<>();
  final List<ChildProcess> dispatchers = new ArrayList<>();

  /** Share (percent) of attempts whose first runtime start throws. */
  final int startFailurePercent;

  ChaosCluster(Path work, int startFailurePercent) {
    this.work = work;
    this.startFailurePercent = startFailurePercent;
  }

  private final AttemptTokens completionKey = AttemptTokens.random();

  String bootstrap() {
    return "localhost:" + kafkaPort;
  }

  String redisUrl() {
    return redisCluster != null ? redisCluster.url() : "redis://127.0.0.1:" + redisPort;
  }

  void startRedisCluster() throws IOException {
    redisCluster =
        RedisClusterProcess.start(
            Files.createDirectories(work.resolve("redis-cluster")), 3, 1, DevFiles::freePort);
  }

  void startBroker() throws Exception {
    broker = BrokerProcess.start(work, kafkaPort, controllerPort);
  }

  void startRedis() throws IOException {
    redis = RedisServerProcess.start(redisPort, Files.createDirectories(work.resolve("redis")));
  }

  ChildProcess engine(int i) {
    Map<String, String> env = new LinkedHashMap<>(common());
    env.put("BATON_APPLICATION_ID", "baton-chaos");
    env.put("BATON_STATE_DIR", work.resolve("engine-" + i).toString());
    env.put("BATON_HEALTH_PORT", Integer.toString(DevFiles.freePort()));
    if (replicaAcks) {
      env.put("BATON_REDIS_REPLICA_ACKS", "1");
      env.put("BATON_REDIS_REPLICA_TIMEOUT_MS", "2000");
    }
    return new ChildProcess(
        "engine-" + i,
        ChildProcess.java("dev.baton.engine.main.EngineMain"),
        env,
        work.resolve("engine-" + i + ".log"));
  }

  /** The dispatchers' Kafka delivery timeout: a broker outage longer than this tests retries. */
  static final long DISPATCHER_DELIVERY_TIMEOUT_MS = 10_000;

  ChildProcess dispatcher(int i) {
    Map<String, String> env = new LinkedHashMap<>(common());
    env.put("BATON_WORK_DIR", work.resolve("jobs-" + i).toString());
    env.put("BATON_MAX_CONCURRENT_JOBS", "8");
    env.put("BATON_HEALTH_PORT", Integer.toString(DevFiles.freePort()));
    env.put("CHAOS_START_FAILURE_PERCENT", Integer.toString(startFailurePercent));
    // A report the dispatcher cannot write within 10 s fails in Kafka's client: the broker's
    // outage outlasts it, and the dispatcher must try again until the report is written.
    env.put("BATON_KAFKA_DELIVERY_TIMEOUT_MS", Long.toString(DISPATCHER_DELIVERY_TIMEOUT_MS));
    env.put("BATON_KAFKA_REQUEST_TIMEOUT_MS", "3000");
    env.put("BATON_KAFKA_MAX_BLOCK_MS", "5000");
    String main =
        startFailurePercent > 0
            ? FlakyStartDispatcher.class.getName()
            : "dev.baton.dispatcher.DispatcherMain";
    return new ChildProcess(
        "dispatcher-" + i, ChildProcess.java(main), env, work.resolve("dispatcher-" + i + ".log"));
  }

  private Map<String, String> common() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("BATON_BOOTSTRAP_SERVERS", bootstrap());
    env.put("BATON_REDIS_URL", redisUrl());
    env.put("BATON_REPLICATION_FACTOR", "1");
    env.put("BATON_KAFKA_SESSION_TIMEOUT_MS", "6000");
    env.put("BATON_KAFKA_HEARTBEAT_INTERVAL_MS", "1500");
    env.put(
        AttemptTokens.KEY_VARIABLE,
        completionKey.keyText()); // engines check what dispatchers and jobs sign with it
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    return env;
  }

  void startServices(int engineCount) throws IOException {
    for (int i = 0; i < engineCount; i++) {
      engines.add(engine(i).start());
    }
    for (int i = 0; i < 2; i++) {
      dispatchers.add(dispatcher(i).start());
    }
  }

  @Override
  public void close() {
    for (ChildProcess p : List.copyOf(dispatchers)) {
      quietly(p::kill);
    }
    for (ChildProcess p : List.copyOf(engines)) {
      quietly(p::kill);
    }
    if (broker != null) {
      quietly(broker::kill);
    }
    if (redis != null) {
      redis.close();
    }
    if (redisCluster != null) {
      redisCluster.close();
    }
  }

  interface Step {
    void run() throws Exception;
  }

  private static void quietly(Step step) {
    try {
      step.run();
    } catch (Exception e) {
      // shutting down
    }
  }
}
