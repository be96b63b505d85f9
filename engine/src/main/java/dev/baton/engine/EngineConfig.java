package dev.baton.engine;

import dev.baton.artifacts.ArtifactSettings;
import dev.baton.artifacts.ArtifactStore;
import dev.baton.artifacts.S3ArtifactStore;
import dev.baton.engine.state.ReplicaAcks;
import dev.baton.engine.tenants.Tenancy;
import dev.baton.engine.tenants.TenantShares;
import dev.baton.redis.RedisSettings;
import dev.baton.secrets.SecretSource;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import dev.baton.settings.Settings;
import dev.baton.tracing.TraceExport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's configuration: one immutable record, validated on creation, built once. {@link
 * #from} reads {@code BATON_*} settings (a file and the environment, see {@link Settings}); {@code
 * BATON_KAFKA_<PROPERTY>} passes any Kafka client property through untouched ({@code
 * BATON_KAFKA_SECURITY_PROTOCOL} → {@code security.protocol}). {@code BATON_ENCODING} (json, avro)
 * and {@code BATON_REGISTRY_URL} choose the wire encoding. In one process (baton dev, tests) use
 * {@link #builder}, which reads nothing from the environment.
 */
public record EngineConfig(
    String bootstrapServers,
    RedisSettings redis,
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
    AttemptTokens tokens,
    int healthPort,
    Http http,
    ReplicaAcks replicaAcks,
    Tenancy tenancy,
    boolean runHistory,
    TraceExport traces,
    SecretSource secrets,
    ArtifactStore artifacts) {

  public static final String EXACTLY_ONCE = "exactly_once_v2";
  public static final String AT_LEAST_ONCE = "at_least_once";

  /**
   * The REST API: off unless {@code BATON_HTTP_PORT} is set, on {@code BATON_HTTP_HOST} (default
   * 127.0.0.1), with the bearer tokens of {@code BATON_HTTP_TOKEN_FILE} when that is set, answering
   * also for the hosts of {@code BATON_HTTP_ALLOWED_HOSTS} (comma-separated {@code host[:port]}, as
   * a proxy in front sends them).
   */
  public record Http(String host, int port, String token, List<String> allowedHosts) {
    public Http {
      allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
    }

    public Http(String host, int port, String token) {
      this(host, port, token, List.of());
    }

    @Override
    public String toString() {
      return "Http[host="
          + host
          + ", port="
          + port
          + ", token="
          + (token == null ? "none" : "***")
          + "]";
    }
  }

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
    require(applicationId, "BATON_APPLICATION_ID");
    if (redis == null) {
      throw new IllegalArgumentException("BATON_REDIS_URL is required");
    }
    if (tokens == null) {
      throw new IllegalArgumentException(
          AttemptTokens.KEY_FILE_VARIABLE + " or " + AttemptTokens.KEY_VARIABLE + " is required");
    }
    if (commitInterval == null || commitInterval.isNegative() || commitInterval.isZero()) {
      throw new IllegalArgumentException("BATON_COMMIT_INTERVAL_MS must be at least 1");
    }
    if (maxAppliedIds < 1) {
      throw new IllegalArgumentException("BATON_MAX_APPLIED_IDS must be at least 1");
    }
    kafka = Map.copyOf(kafka);
    wire = wire == null ? Wire.json() : wire;
    replicaAcks = replicaAcks == null ? ReplicaAcks.NONE : replicaAcks;
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

  public String redisUrl() {
    return redis.url();
  }

  public boolean exactlyOnce() {
    return processingGuarantee.equals(EXACTLY_ONCE);
  }

  /**
   * Defaults for one process: the process's completion key, Redis without credentials, no health or
   * HTTP port.
   */
  public static Builder builder(String bootstrapServers, String redisUrl, String applicationId) {
    Builder b = new Builder();
    b.bootstrapServers = bootstrapServers;
    b.redis = redisUrl == null ? null : RedisSettings.of(redisUrl);
    b.applicationId = applicationId;
    b.stateDir = defaultStateDir(applicationId);
    b.tokens = AttemptTokens.processDefault();
    return b;
  }

  /** The engine's settings from {@code BATON_*} variables, with errors naming the variable. */
  public static EngineConfig from(Settings s) {
    String app = s.get("BATON_APPLICATION_ID", "baton-engine");
    String guarantee = s.get("BATON_PROCESSING_GUARANTEE", EXACTLY_ONCE);
    Builder b = builder(s.get("BATON_BOOTSTRAP_SERVERS"), null, app);
    b.redis = RedisSettings.fromEnv(s.asMap(), s.get("BATON_REDIS_URL", "redis://localhost:6379"));
    b.topics = Topics.withPrefix(s.get("BATON_TOPIC_PREFIX", "baton"));
    b.stateDir = Path.of(s.get("BATON_STATE_DIR", defaultStateDir(app).toString()));
    b.commitInterval = s.millis("BATON_COMMIT_INTERVAL_MS", defaultCommitInterval(guarantee));
    b.replicationFactor = (short) s.integer("BATON_REPLICATION_FACTOR", 3);
    b.finishedRunRetention = Duration.ofHours(s.number("BATON_FINISHED_RUN_RETENTION_HOURS", 168));
    b.maxAppliedIds = s.integer("BATON_MAX_APPLIED_IDS", 1000);
    b.kafka = s.kafka();
    b.wire = s.wire();
    b.processingGuarantee = guarantee;
    b.tokens = AttemptTokens.fromEnv(s.asMap(), Optional.empty());
    b.healthPort = s.integer("BATON_HEALTH_PORT", 8080);
    b.http = http(s);
    b.replicaAcks =
        new ReplicaAcks(
            s.integer("BATON_REDIS_REPLICA_ACKS", 0),
            s.millis("BATON_REDIS_REPLICA_TIMEOUT_MS", Duration.ofSeconds(1)));
    b.tenancy = tenancy(s);
    String history = s.get("BATON_RUN_HISTORY", "on");
    if (!history.equals("on") && !history.equals("off")) {
      throw s.error("BATON_RUN_HISTORY", "must be on or off, got '" + history + "'");
    }
    b.runHistory = history.equals("on");
    b.traces = TraceExport.from(s, "baton-engine");
    b.secrets = SecretSource.fromEnv(s.asMap());
    ArtifactSettings artifactSettings = ArtifactSettings.fromEnvironment(s.asMap());
    b.artifacts = artifactSettings == null ? null : new S3ArtifactStore(artifactSettings);
    return b.build();
  }

  public static EngineConfig fromEnv(Map<String, String> env) {
    return from(Settings.of(env));
  }

  private static Tenancy tenancy(Settings s) {
    return tenancy(s, 0);
  }

  /**
   * Job slots as {@code BATON_JOB_CAPACITY} and {@code BATON_TENANTS_FILE} say, {@code
   * defaultCapacity} slots when the first is not set ({@code baton dev}: its dispatcher's).
   */
  public static Tenancy tenancy(Settings s, int defaultCapacity) {
    int capacity = s.integer("BATON_JOB_CAPACITY", defaultCapacity);
    if (capacity < 0) {
      throw s.error("BATON_JOB_CAPACITY", "must be 0 (no job slots) or more, got " + capacity);
    }
    String file = s.get("BATON_TENANTS_FILE");
    try {
      return Tenancy.of(capacity, file == null ? null : Path.of(file));
    } catch (TenantShares.InvalidTenantsFileException e) {
      throw s.error("BATON_TENANTS_FILE", e.getMessage());
    }
  }

  private static Http http(Settings s) {
    if (s.get("BATON_HTTP_PORT") == null) {
      return null;
    }
    String tokenFile = s.get("BATON_HTTP_TOKEN_FILE");
    String token = null;
    if (tokenFile != null) {
      try {
        token = Files.readString(Path.of(tokenFile)).strip();
      } catch (IOException e) {
        throw s.error("BATON_HTTP_TOKEN_FILE", "cannot be read: " + e.getMessage());
      }
    }
    String allowed = s.get("BATON_HTTP_ALLOWED_HOSTS", "");
    return new Http(
        s.get("BATON_HTTP_HOST", "127.0.0.1"),
        s.integer("BATON_HTTP_PORT", 0),
        token,
        Arrays.stream(allowed.split(",")).map(String::strip).filter(h -> !h.isEmpty()).toList());
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.bootstrapServers = bootstrapServers;
    b.redis = redis;
    b.applicationId = applicationId;
    b.topics = topics;
    b.stateDir = stateDir;
    b.commitInterval = commitInterval;
    b.replicationFactor = replicationFactor;
    b.finishedRunRetention = finishedRunRetention;
    b.maxAppliedIds = maxAppliedIds;
    b.kafka = kafka;
    b.wire = wire;
    b.processingGuarantee = processingGuarantee;
    b.tokens = tokens;
    b.healthPort = healthPort;
    b.http = http;
    b.replicaAcks = replicaAcks;
    b.tenancy = tenancy;
    b.runHistory = runHistory;
    b.traces = traces;
    b.secrets = secrets;
    b.artifacts = artifacts;
    return b;
  }

  /**
   * The settings of an {@link EngineConfig} to be built, as public fields; those left unset take
   * the documented defaults, and {@link #build} validates them all.
   */
  public static final class Builder {
    public String bootstrapServers;

    /** The Redis connection (its URL, user, password, TLS). */
    public RedisSettings redis;

    public String applicationId;
    public Topics topics = Topics.withPrefix("baton");
    public Path stateDir;

    /** Null: the default of the processing guarantee. */
    public Duration commitInterval;

    public short replicationFactor = 3;
    public Duration finishedRunRetention = Duration.ofDays(7);
    public int maxAppliedIds = 1000;

    /** Kafka client properties for every client of the engine. */
    public Map<String, String> kafka = Map.of();

    public Wire wire = Wire.json();
    public String processingGuarantee = EXACTLY_ONCE;

    /** The completion key (shared with the dispatcher). */
    public AttemptTokens tokens;

    public int healthPort;
    public Http http;

    /** Replicas that must have each save (none by default). */
    public ReplicaAcks replicaAcks = ReplicaAcks.NONE;

    /** Job slots shared between tenants (none by default). */
    public Tenancy tenancy = Tenancy.OFF;

    /** Ended runs' summaries to the history topic (on by default; BATON_RUN_HISTORY=off). */
    public boolean runHistory = true;

    /** Where spans go (OTEL_EXPORTER_OTLP_ENDPOINT); null: no tracing. */
    public TraceExport traces;

    /** Where webhooks' secrets are (BATON_SECRETS_DIR, BATON_SECRET_*); none by default. */
    public SecretSource secrets = SecretSource.none();

    /**
     * Where jobs' artifacts are (BATON_ARTIFACT_STORE), for a forEach over one; none by default.
     */
    public ArtifactStore artifacts;

    private Builder() {}

    public EngineConfig build() {
      return new EngineConfig(
          bootstrapServers,
          redis,
          applicationId,
          topics,
          stateDir,
          commitInterval == null ? defaultCommitInterval(processingGuarantee) : commitInterval,
          replicationFactor,
          finishedRunRetention,
          maxAppliedIds,
          kafka,
          wire,
          processingGuarantee,
          tokens,
          healthPort,
          http,
          replicaAcks,
          tenancy,
          runHistory,
          traces,
          secrets,
          artifacts);
    }
  }

  private static Path defaultStateDir(String applicationId) {
    return Path.of(
        System.getProperty("java.io.tmpdir"),
        "baton-streams",
        applicationId == null ? "baton-engine" : applicationId);
  }

  private static void require(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
  }
}
