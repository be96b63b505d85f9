package dev.baton.engine;

import dev.baton.kafka.KafkaProperties;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import dev.baton.settings.EnvSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The engine's configuration: one immutable record, validated on creation. {@link #fromEnv} reads
 * {@code BATON_*} variables; {@code BATON_KAFKA_<PROPERTY>} passes any Kafka client property
 * through untouched ({@code BATON_KAFKA_SECURITY_PROTOCOL} → {@code security.protocol}). {@code
 * BATON_ENCODING} (json, avro) and {@code BATON_REGISTRY_URL} choose the wire encoding.
 */
public record EngineConfig(
    String bootstrapServers,
    String redisUrl,
    String applicationId,
    Topics topics,
    Path stateDir,
    Duration commitInterval,
    short replicationFactor,
    Duration finishedRunRetention,
    int maxAppliedIds,
    Map<String, String> kafka,
    Wire wire,
    String processingGuarantee,
    dev.baton.redis.RedisSettings redis,
    AttemptTokens tokens) {

  public static final String EXACTLY_ONCE = "exactly_once_v2";
  public static final String AT_LEAST_ONCE = "at_least_once";

  /**
   * The commit interval when none is set. Exactly once, a task commits as soon as its input is
   * drained but at most once per interval, so 10 ms: a step at low load waits for one transaction,
   * and under load each transaction carries more records. At least once, records leave as soon as
   * they are saved, and the interval only paces offset commits.
   */
  public static Duration defaultCommitInterval(String processingGuarantee) {
    return AT_LEAST_ONCE.equals(processingGuarantee)
        ? Duration.ofMillis(100)
        : Duration.ofMillis(10);
  }

  public EngineConfig {
    require(bootstrapServers, "BATON_BOOTSTRAP_SERVERS");
    require(redisUrl, "BATON_REDIS_URL");
    require(applicationId, "BATON_APPLICATION_ID");
    redis =
        redis == null ? dev.baton.redis.RedisSettings.fromEnv(System.getenv(), redisUrl) : redis;
    // In one process with its dispatcher (baton dev, tests) the process's key signs and checks
    // completions.
    tokens =
        tokens == null
            ? AttemptTokens.fromEnv(
                System.getenv(), java.util.Optional.of(AttemptTokens.processDefault()))
            : tokens;
    if (commitInterval == null || commitInterval.isNegative() || commitInterval.isZero()) {
      throw new IllegalArgumentException("BATON_COMMIT_INTERVAL_MS must be at least 1");
    }
    if (maxAppliedIds < 1) {
      throw new IllegalArgumentException("BATON_MAX_APPLIED_IDS must be at least 1");
    }
    kafka = Map.copyOf(kafka);
    wire = wire == null ? Wire.json() : wire;
    processingGuarantee = processingGuarantee == null ? EXACTLY_ONCE : processingGuarantee;
    if (!processingGuarantee.equals(EXACTLY_ONCE) && !processingGuarantee.equals(AT_LEAST_ONCE)) {
      throw new IllegalArgumentException(
          "BATON_PROCESSING_GUARANTEE must be "
              + EXACTLY_ONCE
              + " or "
              + AT_LEAST_ONCE
              + ", got '"
              + processingGuarantee
              + "'");
    }
  }

  /** With the default processing guarantee, exactly_once_v2. */
  public EngineConfig(
      String bootstrapServers,
      String redisUrl,
      String applicationId,
      Topics topics,
      Path stateDir,
      Duration commitInterval,
      short replicationFactor,
      Duration finishedRunRetention,
      int maxAppliedIds,
      Map<String, String> kafka,
      Wire wire) {
    this(
        bootstrapServers,
        redisUrl,
        applicationId,
        topics,
        stateDir,
        commitInterval,
        replicationFactor,
        finishedRunRetention,
        maxAppliedIds,
        kafka,
        wire,
        EXACTLY_ONCE,
        null,
        null);
  }

  /** With the Redis user, password and TLS settings of the environment. */
  public EngineConfig(
      String bootstrapServers,
      String redisUrl,
      String applicationId,
      Topics topics,
      Path stateDir,
      Duration commitInterval,
      short replicationFactor,
      Duration finishedRunRetention,
      int maxAppliedIds,
      Map<String, String> kafka,
      Wire wire,
      String processingGuarantee) {
    this(
        bootstrapServers,
        redisUrl,
        applicationId,
        topics,
        stateDir,
        commitInterval,
        replicationFactor,
        finishedRunRetention,
        maxAppliedIds,
        kafka,
        wire,
        processingGuarantee,
        null,
        null);
  }

  /** The same settings with another Redis connection (its URL, user, password, TLS). */
  public EngineConfig withRedis(dev.baton.redis.RedisSettings settings) {
    return new EngineConfig(
        bootstrapServers,
        settings.url(),
        applicationId,
        topics,
        stateDir,
        commitInterval,
        replicationFactor,
        finishedRunRetention,
        maxAppliedIds,
        kafka,
        wire,
        processingGuarantee,
        settings,
        tokens);
  }

  /** The same settings with another completion key (shared with the dispatcher). */
  public EngineConfig withTokens(AttemptTokens other) {
    return new EngineConfig(
        bootstrapServers,
        redisUrl,
        applicationId,
        topics,
        stateDir,
        commitInterval,
        replicationFactor,
        finishedRunRetention,
        maxAppliedIds,
        kafka,
        wire,
        processingGuarantee,
        redis,
        other);
  }

  public boolean exactlyOnce() {
    return processingGuarantee.equals(EXACTLY_ONCE);
  }

  public static EngineConfig fromEnv(Map<String, String> env) {
    String app = env.getOrDefault("BATON_APPLICATION_ID", "baton-engine");
    String guarantee = env.getOrDefault("BATON_PROCESSING_GUARANTEE", EXACTLY_ONCE);
    return new EngineConfig(
        env.get("BATON_BOOTSTRAP_SERVERS"),
        env.getOrDefault("BATON_REDIS_URL", "redis://localhost:6379"),
        app,
        Topics.withPrefix(env.getOrDefault("BATON_TOPIC_PREFIX", "baton")),
        Path.of(env.getOrDefault("BATON_STATE_DIR", defaultStateDir(app).toString())),
        env.containsKey("BATON_COMMIT_INTERVAL_MS")
            ? Duration.ofMillis(EnvSettings.number(env, "BATON_COMMIT_INTERVAL_MS", 0))
            : defaultCommitInterval(guarantee),
        (short) EnvSettings.integer(env, "BATON_REPLICATION_FACTOR", 3),
        Duration.ofHours(EnvSettings.number(env, "BATON_FINISHED_RUN_RETENTION_HOURS", 168)),
        EnvSettings.integer(env, "BATON_MAX_APPLIED_IDS", 1000),
        KafkaProperties.fromEnv(env),
        Wire.of(
            env.get("BATON_ENCODING"),
            env.get("BATON_REGISTRY_URL"),
            env.get("BATON_REGISTRY_USER_INFO")),
        guarantee,
        dev.baton.redis.RedisSettings.fromEnv(
            env, env.getOrDefault("BATON_REDIS_URL", "redis://localhost:6379")),
        AttemptTokens.fromEnv(env, java.util.Optional.empty()));
  }

  private static Path defaultStateDir(String applicationId) {
    return Path.of(System.getProperty("java.io.tmpdir"), "baton-streams", applicationId);
  }

  private static void require(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
  }
}
