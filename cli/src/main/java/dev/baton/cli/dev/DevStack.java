package dev.baton.cli.dev;

import dev.baton.artifacts.ArtifactStore;
import dev.baton.artifacts.S3ArtifactStore;
import dev.baton.cli.TemplatePublisher;
import dev.baton.concurrent.DaemonThreads;
import dev.baton.dispatcher.Dispatcher;
import dev.baton.dispatcher.DispatcherConfig;
import dev.baton.dispatcher.artifacts.ArtifactTransfers;
import dev.baton.dispatcher.http.AllowedHosts;
import dev.baton.dispatcher.local.LocalProcessRuntime;
import dev.baton.engine.Engine;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.api.ApiServer;
import dev.baton.engine.artifacts.ArtifactSweep;
import dev.baton.engine.main.EngineMain;
import dev.baton.kafka.TopicAdmin;
import dev.baton.metrics.Metrics;
import dev.baton.redis.RedisServerProcess;
import dev.baton.redis.RedisSettings;
import dev.baton.secrets.SecretSource;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import dev.baton.settings.Settings;
import dev.baton.template.ApplyChecks;
import dev.baton.tracing.TraceExport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Everything {@code baton dev} runs in one process: a KRaft broker, a Redis server, the engine and
 * the dispatcher with the local runtime. Closing it stops them in reverse order.
 */
public final class DevStack implements AutoCloseable {
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final Topics topics = Topics.defaults();
  private String bootstrapServers;
  private String redisUrl;
  private String redisKind;
  private final AtomicReference<RedisServerProcess> redisNow = new AtomicReference<>();
  private String apiUrl;
  private ArtifactStore artifacts;
  private List<TemplatePublisher.Loaded> templates = List.of();

  /** BATON_ENCODING and BATON_REGISTRY_URL as every Baton process reads them (JSON when unset). */
  private final Wire wire =
      Wire.of(
          System.getenv("BATON_ENCODING"),
          System.getenv("BATON_REGISTRY_URL"),
          System.getenv("BATON_REGISTRY_USER_INFO"));

  public record Ports(int kafka, int controller, int redis, int http) {}

  public static DevStack start(Ports ports, Path templatesDir) throws Exception {
    DevStack stack = new DevStack();
    try {
      stack.startAll(ports, templatesDir);
      return stack;
    } catch (Exception e) {
      stack.close();
      throw e;
    }
  }

  private void startAll(Ports ports, Path templatesDir) throws Exception {
    DevFiles.removeLeftovers("baton-kafka-", "baton-dev-");
    requireFree(ports.kafka(), "--kafka-port");
    requireFree(ports.controller(), "--controller-port");
    requireFree(ports.redis(), "--redis-port");
    requireFree(ports.http(), "--http-port");
    if (templatesDir != null && Files.isDirectory(templatesDir)) {
      templates =
          TemplatePublisher.load(
              templatesDir, Map.of()); // refuse bad templates before starting anything
    }
    EmbeddedKafka kafka = EmbeddedKafka.start(ports.kafka(), ports.controller());
    started.push(kafka);
    bootstrapServers = kafka.bootstrapServers();
    RedisServerProcess redis = RedisServerProcess.start(ports.redis());
    redisNow.set(redis);
    started.push(() -> redisNow.get().close());
    redisUrl = redis.url();
    redisKind = redis.kind();
    startRedisWatch(ports.redis());
    TopicAdmin.ensureTopics(bootstrapServers, topics, 3, (short) 1, Map.of());
    // The topics the example templates' service and emit steps write to, so that they run as is.
    TopicAdmin.ensureNamed(
        bootstrapServers,
        ApplyChecks.topicsWritten(
            templates.stream().map(TemplatePublisher.Loaded::template).toList()),
        3,
        (short) 1);
    if (!templates.isEmpty()) {
      TemplatePublisher.publish(bootstrapServers, topics.templates(), templates);
    }
    Path work = DevFiles.ownedTempDirectory("baton-dev-");
    started.push(() -> DevFiles.deleteTree(work));
    LocalS3 s3 = LocalS3.start(work.resolve("artifacts"), DevFiles.freePort(), "artifacts");
    started.push(s3);
    artifacts = new S3ArtifactStore(s3.settings());
    started.push(artifacts);
    DispatcherConfig dispatcherConfig = dispatcherConfig();
    EngineConfig engineConfig = engineConfig(work, dispatcherConfig.maxConcurrentJobs());
    var metrics = Metrics.prometheus(); // engine's and dispatcher's, on the API's /metrics
    // Started so that closing in reverse stops them before Redis and the broker: API, engine (and
    // its trigger loops) and dispatcher together, then Redis and the broker.
    Dispatcher dispatcher =
        new Dispatcher(
                dispatcherConfig,
                new LocalProcessRuntime(
                    work.resolve("jobs"),
                    dispatcherConfig.tailBytes(),
                    dispatcherConfig.secrets(),
                    new ArtifactTransfers(artifacts, metrics)),
                metrics)
            .start();
    started.push(dispatcher);
    Engine engine = new Engine(engineConfig, metrics).start();
    started.push(engine);
    ApiServer api =
        new ApiServer(
            EngineMain.apiSources(engine, artifacts), engineConfig, "127.0.0.1", ports.http());
    started.push(api);
    // Each of the three is Kafka clients leaving their groups, and none needs another to stop:
    // they stop at the same time, so Ctrl-C waits for the slowest rather than for all in turn.
    started.push(together(started.pop(), started.pop(), started.pop()));
    started.push(new ArtifactSweep(artifacts, engine.runs(), metrics).every(Duration.ofMinutes(1)));
    apiUrl = "http://localhost:" + api.port();
    if (!engine.awaitRunning(Duration.ofSeconds(60))) {
      throw new IllegalStateException("the engine did not start within 60 s");
    }
  }

  /**
   * The engine's settings; its job slots are the dispatcher's {@code jobSlots}, shared between
   * tenants, so a newcomer sees fairness at work ({@code BATON_JOB_CAPACITY=0} turns it off).
   */
  private EngineConfig engineConfig(Path work, int jobSlots) {
    EngineConfig.Builder engineSettings =
        EngineConfig.builder(bootstrapServers, redisUrl, "baton-engine");
    engineSettings.topics = topics;
    engineSettings.stateDir = work.resolve("streams");
    engineSettings.replicationFactor = 1;
    engineSettings.finishedRunRetention = Duration.ofDays(1);
    engineSettings.wire = wire;
    engineSettings.tenancy = EngineConfig.tenancy(Settings.of(System.getenv()), jobSlots);
    // baton dev sends spans where the shell's OTEL_EXPORTER_OTLP_ENDPOINT says (none when unset).
    engineSettings.traces = TraceExport.from(Settings.of(System.getenv()), "baton-engine");
    // Webhooks' secrets: BATON_SECRETS_DIR and BATON_SECRET_* of the shell, as for jobs.
    engineSettings.secrets = SecretSource.fromEnv(System.getenv());
    engineSettings.artifacts = artifacts; // a forEach over an artifact reads its lines
    return engineSettings.build();
  }

  private DispatcherConfig dispatcherConfig() {
    DispatcherConfig.Builder dispatcherSettings =
        DispatcherConfig.builder(bootstrapServers, topics);
    dispatcherSettings.redis = RedisSettings.of(redisUrl);
    dispatcherSettings.wire = wire;
    // baton dev resolves secret references as a dispatcher would, from BATON_SECRETS_DIR and
    // BATON_SECRET_* variables of the shell that started it.
    dispatcherSettings.secrets = SecretSource.fromEnv(System.getenv());
    // http steps may call any host under baton dev, unless the shell narrows it.
    String hosts = System.getenv("BATON_HTTP_ALLOWED_HOSTS");
    dispatcherSettings.httpHosts =
        hosts == null || hosts.isBlank() ? AllowedHosts.ANY : AllowedHosts.parse(hosts);
    dispatcherSettings.traces = TraceExport.from(Settings.of(System.getenv()), "baton-dispatcher");
    return dispatcherSettings.build();
  }

  /**
   * Restarts Redis when it dies under `baton dev` (it keeps nothing: runs in flight then are
   * forgotten, and said so). Stops watching before everything is closed.
   */
  private void startRedisWatch(int port) {
    ScheduledExecutorService watch =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("baton-dev-redis-watch"));
    var unused =
        watch.scheduleWithFixedDelay(
            () -> {
              if (redisNow.get().isAlive()) {
                return;
              }
              System.err.println(
                  "baton dev: Redis stopped; starting it again on port "
                      + port
                      + " (it starts empty: runs that were in flight are forgotten)");
              try {
                redisNow.set(RedisServerProcess.start(port));
                System.err.println("baton dev: Redis is back");
              } catch (IOException e) {
                System.err.println(
                    "baton dev: could not start Redis again ("
                        + e.getMessage()
                        + "); trying again in 1 s");
              }
            },
            1,
            1,
            TimeUnit.SECONDS);
    started.push(watch::shutdownNow);
  }

  private static void requireFree(int port, String option) {
    if (!DevFiles.portFree(port)) {
      throw new IllegalStateException(
          "port " + port + " is in use (another `baton dev`?); choose another with " + option);
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Where jobs' artifacts are stored: an S3 server in this process, on a temporary directory. */
  public String artifactStore() {
    return artifacts.address();
  }

  public String redisUrl() {
    return redisUrl;
  }

  public String apiUrl() {
    return apiUrl;
  }

  public String redisKind() {
    return redisKind;
  }

  /** The encoding engine, dispatcher and the example's trigger use. */
  public Wire wire() {
    return wire;
  }

  public Topics topics() {
    return topics;
  }

  public List<TemplatePublisher.Loaded> templates() {
    return templates;
  }

  /** Closes {@code parts} at the same time; returns when all are closed. */
  private static AutoCloseable together(AutoCloseable... parts) {
    return () -> {
      List<Thread> closing = new ArrayList<>();
      for (AutoCloseable part : parts) {
        Thread t = new Thread(() -> closeQuietly(part), "baton-dev-stop");
        t.start();
        closing.add(t);
      }
      for (Thread t : closing) {
        t.join();
      }
    };
  }

  private static void closeQuietly(AutoCloseable part) {
    try {
      part.close();
    } catch (Exception e) {
      System.err.println("while stopping: " + e);
    }
  }

  @Override
  public void close() {
    while (!started.isEmpty()) {
      closeQuietly(started.pop());
    }
  }
}
