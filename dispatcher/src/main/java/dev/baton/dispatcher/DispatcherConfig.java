package dev.baton.dispatcher;

import dev.baton.dispatcher.http.AllowedHosts;
import dev.baton.redis.RedisSettings;
import dev.baton.secrets.SecretSource;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import dev.baton.settings.Settings;
import dev.baton.tracing.TraceExport;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The dispatcher's configuration: one immutable record, validated on creation, built once. {@link
 * #from} reads {@code BATON_*} settings (a file and the environment, see {@link Settings}); {@code
 * BATON_KAFKA_<PROPERTY>} passes Kafka client properties through. {@code BATON_RUNTIME} (local or
 * kubernetes) is the default runtime; the Kubernetes runtime also starts when {@code
 * BATON_KUBERNETES=enabled}. In one process (baton dev, tests) use {@link #builder}, which reads
 * nothing from the environment.
 *
 * @param redis where attempts started are remembered, so no dispatcher runs one twice (null: in
 *     memory)
 * @param secrets where the local runtime finds the values of secret references
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
    RedisSettings redis,
    AttemptTokens tokens,
    SecretSource secrets,
    int healthPort,
    String defaultRuntime,
    boolean kubernetes,
    TraceExport traces,
    AllowedHosts httpHosts) {

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
    if (tokens == null) {
      throw new IllegalArgumentException(
          AttemptTokens.KEY_FILE_VARIABLE + " or " + AttemptTokens.KEY_VARIABLE + " is required");
    }
    if (!defaultRuntime.equals("local") && !defaultRuntime.equals("kubernetes")) {
      throw new IllegalArgumentException(
          "BATON_RUNTIME must be local or kubernetes, got '" + defaultRuntime + "'");
    }
    kafka = Map.copyOf(kafka);
    wire = wire == null ? Wire.json() : wire;
    secrets = secrets == null ? SecretSource.none() : secrets;
    kubernetes = kubernetes || defaultRuntime.equals("kubernetes");
    httpHosts = httpHosts == null ? AllowedHosts.NONE : httpHosts;
  }

  public String redisUrl() {
    return redis == null ? null : redis.url();
  }

  /**
   * Defaults for one process: the process's completion key, attempts remembered in memory, no
   * secrets, the local runtime.
   */
  public static Builder builder(String bootstrapServers, Topics topics) {
    Builder b = new Builder();
    b.bootstrapServers = bootstrapServers;
    b.topics = topics;
    b.tokens = AttemptTokens.processDefault();
    return b;
  }

  /** The dispatcher's settings from {@code BATON_*} variables, with errors naming the variable. */
  public static DispatcherConfig from(Settings s) {
    Builder b =
        builder(
            s.get("BATON_BOOTSTRAP_SERVERS"),
            Topics.withPrefix(s.get("BATON_TOPIC_PREFIX", "baton")));
    b.groupId = s.get("BATON_DISPATCHER_GROUP", b.groupId);
    b.maxConcurrentJobs = s.integer("BATON_MAX_CONCURRENT_JOBS", b.maxConcurrentJobs);
    b.workDir = Path.of(s.get("BATON_WORK_DIR", b.workDir.toString()));
    b.tailBytes = s.integer("BATON_TAIL_BYTES", b.tailBytes);
    b.kafka = s.kafka();
    b.wire = s.wire();
    String redisUrl = s.get("BATON_REDIS_URL");
    b.redis = redisUrl == null ? null : RedisSettings.fromEnv(s.asMap(), redisUrl);
    b.tokens = AttemptTokens.fromEnv(s.asMap(), Optional.empty());
    b.secrets = SecretSource.fromEnv(s.asMap());
    b.healthPort = s.integer("BATON_HEALTH_PORT", 8080);
    b.defaultRuntime = s.get("BATON_RUNTIME", b.defaultRuntime);
    b.kubernetes = "enabled".equals(s.get("BATON_KUBERNETES"));
    b.traces = TraceExport.from(s, "baton-dispatcher");
    b.httpHosts = AllowedHosts.parse(s.get("BATON_HTTP_ALLOWED_HOSTS"));
    return b.build();
  }

  public static DispatcherConfig fromEnv(Map<String, String> env) {
    return from(Settings.of(env));
  }

  /**
   * The settings of a {@link DispatcherConfig} to be built, as public fields; those left unset take
   * the documented defaults, and {@link #build} validates them all.
   */
  public static final class Builder {
    public String bootstrapServers;
    public Topics topics;
    public String groupId = "baton-dispatcher";
    public int maxConcurrentJobs = 4;
    public Path workDir = Path.of(System.getProperty("java.io.tmpdir"), "baton-jobs");
    public int tailBytes = 4096;

    /** Kafka client properties for every client of the dispatcher. */
    public Map<String, String> kafka = Map.of();

    public Wire wire = Wire.json();

    /** Null: attempts started are remembered in memory only. */
    public RedisSettings redis;

    /** The completion key (shared with the engine). */
    public AttemptTokens tokens;

    public SecretSource secrets;
    public int healthPort;
    public String defaultRuntime = "local";
    public boolean kubernetes;

    /** Where spans go (OTEL_EXPORTER_OTLP_ENDPOINT); null: no tracing. */
    public TraceExport traces;

    /** The hosts http steps may call; none unless set. */
    public AllowedHosts httpHosts;

    private Builder() {}

    public DispatcherConfig build() {
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
          tokens,
          secrets,
          healthPort,
          defaultRuntime,
          kubernetes,
          traces,
          httpHosts);
    }
  }
}
