package dev.baton.dispatcher;

import dev.baton.kafka.KafkaProperties;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import dev.baton.settings.EnvSettings;
import java.nio.file.Path;
import java.util.Map;

/**
 * The dispatcher's configuration. {@link #fromEnv} reads {@code BATON_*} variables; {@code
 * BATON_KAFKA_<PROPERTY>} passes Kafka client properties through.
 */
public record DispatcherConfig(
    String bootstrapServers,
    Topics topics,
    String groupId,
    int maxConcurrentJobs,
    Path workDir,
    int tailBytes,
    Map<String, String> kafka,
    Wire wire,
    dev.baton.redis.RedisSettings redis,
    AttemptTokens tokens) {

  public DispatcherConfig {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("BATON_BOOTSTRAP_SERVERS is required");
    }
    if (maxConcurrentJobs < 1) {
      throw new IllegalArgumentException(
          "BATON_MAX_CONCURRENT_JOBS must be at least 1, got " + maxConcurrentJobs);
    }
    if (tailBytes < 256) {
      throw new IllegalArgumentException("BATON_TAIL_BYTES must be at least 256, got " + tailBytes);
    }
    kafka = Map.copyOf(kafka);
    wire = wire == null ? Wire.json() : wire;
    // In one process with its engine (baton dev, tests) the process's key signs and checks
    // completions.
    tokens =
        tokens == null
            ? AttemptTokens.fromEnv(
                System.getenv(), java.util.Optional.of(AttemptTokens.processDefault()))
            : tokens;
  }

  public static DispatcherConfig of(String bootstrapServers, Topics topics) {
    return new DispatcherConfig(
        bootstrapServers,
        topics,
        "baton-dispatcher",
        4,
        Path.of(System.getProperty("java.io.tmpdir"), "baton-jobs"),
        4096,
        Map.of(),
        Wire.json(),
        null,
        null);
  }

  public DispatcherConfig withGroupId(String id) {
    return new DispatcherConfig(
        bootstrapServers,
        topics,
        id,
        maxConcurrentJobs,
        workDir,
        tailBytes,
        kafka,
        wire,
        redis,
        tokens);
  }

  public DispatcherConfig withMaxConcurrentJobs(int n) {
    return new DispatcherConfig(
        bootstrapServers, topics, groupId, n, workDir, tailBytes, kafka, wire, redis, tokens);
  }

  public DispatcherConfig withWire(Wire w) {
    return new DispatcherConfig(
        bootstrapServers,
        topics,
        groupId,
        maxConcurrentJobs,
        workDir,
        tailBytes,
        kafka,
        w,
        redis,
        tokens);
  }

  /**
   * Attempts started are remembered in this Redis, so no dispatcher runs one twice (null: in
   * memory).
   */
  public DispatcherConfig withRedis(String url) {
    return withRedis(
        url == null ? null : dev.baton.redis.RedisSettings.fromEnv(System.getenv(), url));
  }

  public DispatcherConfig withRedis(dev.baton.redis.RedisSettings settings) {
    return new DispatcherConfig(
        bootstrapServers,
        topics,
        groupId,
        maxConcurrentJobs,
        workDir,
        tailBytes,
        kafka,
        wire,
        settings,
        tokens);
  }

  public DispatcherConfig withKafka(Map<String, String> properties) {
    return new DispatcherConfig(
        bootstrapServers,
        topics,
        groupId,
        maxConcurrentJobs,
        workDir,
        tailBytes,
        properties,
        wire,
        redis,
        tokens);
  }

  /** Completions are signed with this key, and jobs get their tokens from it (the engine's key). */
  public DispatcherConfig withTokens(AttemptTokens other) {
    return new DispatcherConfig(
        bootstrapServers,
        topics,
        groupId,
        maxConcurrentJobs,
        workDir,
        tailBytes,
        kafka,
        wire,
        redis,
        other);
  }

  public String redisUrl() {
    return redis == null ? null : redis.url();
  }

  public static DispatcherConfig fromEnv(Map<String, String> env) {
    return new DispatcherConfig(
        env.get("BATON_BOOTSTRAP_SERVERS"),
        Topics.withPrefix(env.getOrDefault("BATON_TOPIC_PREFIX", "baton")),
        env.getOrDefault("BATON_DISPATCHER_GROUP", "baton-dispatcher"),
        EnvSettings.integer(env, "BATON_MAX_CONCURRENT_JOBS", 4),
        Path.of(
            env.getOrDefault(
                "BATON_WORK_DIR",
                Path.of(System.getProperty("java.io.tmpdir"), "baton-jobs").toString())),
        EnvSettings.integer(env, "BATON_TAIL_BYTES", 4096),
        KafkaProperties.fromEnv(env),
        Wire.of(
            env.get("BATON_ENCODING"),
            env.get("BATON_REGISTRY_URL"),
            env.get("BATON_REGISTRY_USER_INFO")),
        env.get("BATON_REDIS_URL") == null
            ? null
            : dev.baton.redis.RedisSettings.fromEnv(env, env.get("BATON_REDIS_URL")),
        AttemptTokens.fromEnv(env, java.util.Optional.empty()));
  }
}
