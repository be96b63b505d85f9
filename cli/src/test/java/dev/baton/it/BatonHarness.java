package dev.baton.it;

import static org.awaitility.Awaitility.await;

import dev.baton.artifacts.ArtifactStore;
import dev.baton.cli.BatonCli;
import dev.baton.cli.TemplatePublisher;
import dev.baton.dispatcher.Dispatcher;
import dev.baton.dispatcher.DispatcherConfig;
import dev.baton.dispatcher.JobRuntime;
import dev.baton.dispatcher.local.LocalProcessRuntime;
import dev.baton.engine.Engine;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.decide.RunState;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.kafka.TopicAdmin;
import dev.baton.serde.EventCodec;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import dev.baton.template.Templates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Baton on the shared test broker and Redis, on its own topics (prefix) and application id: engine,
 * dispatcher with the local runtime, readers of the events and dead-letter topics, and helpers to
 * send records, run the CLI and wait for runs.
 */
final class BatonHarness implements AutoCloseable {
  static final EventCodec<RunEvent> EVENTS = EventCodec.of(RunEvent.class);
  static final Duration DEADLINE = Duration.ofSeconds(90);

  final String prefix;
  final Topics topics;
  final String bootstrap = SharedBroker.bootstrapServers();
  final String redisUrl;
  final Path work;
  final LocalProcessRuntime runtime;
  Engine engine;
  Dispatcher dispatcher;
  private final int maxConcurrentJobs;
  final Wire wire;
  final String processingGuarantee;

  /** The engine's and dispatcher's meters, as `baton dev` has them. */
  final io.micrometer.prometheusmetrics.PrometheusMeterRegistry metrics =
      dev.baton.metrics.Metrics.prometheus();

  /** Job slots shared between tenants (restart the engine to apply a change). */
  dev.baton.engine.tenants.Tenancy tenancy = dev.baton.engine.tenants.Tenancy.OFF;

  /** Where engine and dispatcher send spans (restart them to apply a change). */
  dev.baton.tracing.TraceExport engineTraces;

  dev.baton.tracing.TraceExport dispatcherTraces;

  /** The hosts http steps may call (restart the dispatcher to apply a change); any, as dev. */
  dev.baton.dispatcher.http.AllowedHosts httpHosts = dev.baton.dispatcher.http.AllowedHosts.ANY;

  /** The secrets the dispatcher and the API resolve (restart them to apply a change). */
  dev.baton.secrets.SecretSource secrets = dev.baton.secrets.SecretSource.none();

  /** Kafka client properties for the engine (restart it to apply a change). */
  Map<String, String> engineKafka = Map.of();

  /** The engine's artifact store, for a forEach over an artifact (set, then restart the engine). */
  ArtifactStore artifacts;

  final TopicReader events;
  final TopicReader deadLetters;
  private final KafkaProducer<byte[], byte[]> producer;

  BatonHarness(String prefix, Path work, Path templates, int maxConcurrentJobs) throws Exception {
    this(prefix, work, templates, maxConcurrentJobs, (JobRuntime) null);
  }

  /** With {@code jobRuntime} (null: the local process runtime, kept in {@link #runtime}). */
  BatonHarness(
      String prefix, Path work, Path templates, int maxConcurrentJobs, JobRuntime jobRuntime)
      throws Exception {
    this(prefix, work, templates, maxConcurrentJobs, jobRuntime, Wire.json());
  }

  /** With {@code wire}: the encoding engine and dispatcher write. */
  BatonHarness(
      String prefix,
      Path work,
      Path templates,
      int maxConcurrentJobs,
      JobRuntime jobRuntime,
      Wire wire)
      throws Exception {
    this(prefix, work, templates, maxConcurrentJobs, jobRuntime, wire, EngineConfig.EXACTLY_ONCE);
  }

  /** With the engine's {@code processingGuarantee}. */
  BatonHarness(
      String prefix,
      Path work,
      Path templates,
      int maxConcurrentJobs,
      JobRuntime jobRuntime,
      Wire wire,
      String processingGuarantee)
      throws Exception {
    this(
        prefix,
        work,
        templates,
        maxConcurrentJobs,
        jobRuntime,
        wire,
        processingGuarantee,
        SharedBroker.redisUrl());
  }

  /** Local processes, JSON, exactly once, on the Redis at {@code redisUrl}. */
  BatonHarness(String prefix, Path work, Path templates, int maxConcurrentJobs, String redisUrl)
      throws Exception {
    this(
        prefix,
        work,
        templates,
        maxConcurrentJobs,
        null,
        Wire.json(),
        EngineConfig.EXACTLY_ONCE,
        redisUrl);
  }

  /** On the Redis at {@code redisUrl} instead of the shared one. */
  BatonHarness(
      String prefix,
      Path work,
      Path templates,
      int maxConcurrentJobs,
      JobRuntime jobRuntime,
      Wire wire,
      String processingGuarantee,
      String redisUrl)
      throws Exception {
    this.redisUrl = redisUrl;
    this.processingGuarantee = processingGuarantee;
    this.prefix = prefix;
    this.wire = wire;
    this.maxConcurrentJobs = maxConcurrentJobs;
    this.topics = Topics.withPrefix(prefix);
    this.work = work;
    TopicAdmin.ensureTopics(bootstrap, topics, 3, (short) 1, java.util.Map.of());
    if (templates != null) {
      TemplatePublisher.publish(
          bootstrap, topics.templates(), TemplatePublisher.load(templates, null));
    }
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    // A test sends and waits for each record: a linger would add its 5 ms to every send.
    p.put("linger.ms", "0");
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    engine = startEngine();
    runtime = jobRuntime == null ? new LocalProcessRuntime(work.resolve("jobs"), 4096) : null;
    dispatcher = startDispatcher(jobRuntime == null ? runtime : jobRuntime);
    events = new TopicReader(bootstrap, topics.events());
    deadLetters = new TopicReader(bootstrap, topics.dlq());
  }

  Dispatcher startDispatcher(JobRuntime jobRuntime) {
    DispatcherConfig.Builder b = DispatcherConfig.builder(bootstrap, topics);
    b.groupId = prefix + "-dispatcher";
    b.maxConcurrentJobs = maxConcurrentJobs;
    b.wire = wire;
    b.redis = redisUrl == null ? null : dev.baton.redis.RedisSettings.of(redisUrl);
    b.traces = dispatcherTraces;
    b.httpHosts = httpHosts;
    b.secrets = secrets;
    return new Dispatcher(b.build(), jobRuntime, metrics).start();
  }

  /** Stops the dispatcher (its runtime too) and starts a new one on {@code jobRuntime}. */
  void restartDispatcher(JobRuntime jobRuntime) {
    dispatcher.close();
    dispatcher = startDispatcher(jobRuntime);
  }

  EngineConfig engineConfig() {
    return engineSettings(prefix + "-engine", work.resolve("streams")).build();
  }

  /** The settings of this harness's engine, under another application id and state directory. */
  EngineConfig.Builder engineSettings(String applicationId, Path stateDir) {
    EngineConfig.Builder b = EngineConfig.builder(bootstrap, redisUrl, applicationId);
    b.topics = topics;
    b.stateDir = stateDir;
    b.replicationFactor = 1;
    b.finishedRunRetention = Duration.ofHours(1);
    b.kafka = engineKafka;
    b.wire = wire;
    b.processingGuarantee = processingGuarantee;
    b.tenancy = tenancy;
    b.traces = engineTraces;
    b.secrets = secrets;
    b.artifacts = artifacts;
    return b;
  }

  Engine startEngine() throws InterruptedException {
    Engine e = new Engine(engineConfig(), metrics).start();
    if (!e.awaitRunning(Duration.ofSeconds(60))) {
      throw new IllegalStateException("engine did not start");
    }
    return e;
  }

  /** The body of {@code GET path} from the API on {@code port} of 127.0.0.1. */
  static String httpGet(int port, String path) throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + path))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The REST API and web UI over this harness's engine, on a free port of 127.0.0.1. */
  dev.baton.engine.api.ApiServer startApi() throws java.io.IOException {
    return startApi(null);
  }

  /** The API on a free loopback port; {@code token}: the bearer token it requires (null: none). */
  dev.baton.engine.api.ApiServer startApi(String token) throws java.io.IOException {
    return startApi(token, null);
  }

  /** The API with {@code artifacts}: the store it serves artifacts from. */
  dev.baton.engine.api.ApiServer startApi(String token, dev.baton.artifacts.ArtifactStore artifacts)
      throws java.io.IOException {
    return new dev.baton.engine.api.ApiServer(
        dev.baton.engine.main.EngineMain.apiSources(engine, artifacts),
        engineConfig(),
        "127.0.0.1",
        0,
        token);
  }

  /**
   * Stops the engine and starts a new one: same application id, same Redis, state only where it is
   * kept.
   */
  void restartEngine() throws InterruptedException {
    engine.close();
    engine = startEngine();
  }

  /**
   * Applies the "gate" template: a job that waits until the file its {@code gate} parameter names
   * exists, then one more job. It holds a run mid-job for as long as a test needs.
   */
  void applyGate() throws Exception {
    apply(
        "gate.yaml",
        """
        name: gate
        version: 1
        params:
          gate: {required: true}
        jobs:
          - {name: wait, command: [sh, -c, 'while [ ! -f "$gate" ]; do sleep 0.05; done']}
          - {name: after, command: ["true"]}
        """);
  }

  void apply(String file, String yaml) throws Exception {
    TemplatePublisher.publish(
        bootstrap,
        topics.templates(),
        List.of(new TemplatePublisher.Loaded(Path.of(file), Templates.parse(file, yaml), yaml)));
  }

  void send(String topic, String key, String json) throws Exception {
    send(topic, key, json, Map.of());
  }

  /** A record with {@code headers}. */
  void send(String topic, String key, String json, Map<String, byte[]> headers) throws Exception {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            topic,
            key == null ? null : key.getBytes(StandardCharsets.UTF_8),
            json.getBytes(StandardCharsets.UTF_8));
    headers.forEach((k, v) -> record.headers().add(k, v));
    producer.send(record).get();
  }

  /**
   * Writes {@code key|value} lines to {@code topic} with kcat, partitioned as kcat does by default
   * (not as Java clients do), plus {@code options}.
   */
  void kcat(String topic, List<String> lines, String... options) throws Exception {
    Path file = java.nio.file.Files.createTempFile(work, "kcat", ".txt");
    java.nio.file.Files.write(file, lines, StandardCharsets.UTF_8);
    List<String> command =
        new java.util.ArrayList<>(
            List.of("kcat", "-P", "-b", bootstrap, "-t", topic, "-K", "|", "-l", file.toString()));
    command.addAll(List.of(options));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("kcat failed: " + out);
    }
  }

  /** Starts a run with a JSON trigger: {"runId": runId, "template": template, "params": params}. */
  void trigger(String runId, String template, Map<String, String> params) throws Exception {
    StringBuilder json =
        new StringBuilder(
            "{\"runId\":\"" + runId + "\",\"template\":\"" + template + "\",\"params\":{");
    json.append(
        String.join(
            ",",
            params.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .toList()));
    send(topics.triggers(), runId, json.append("}}").toString());
  }

  List<RunEvent> eventsOf(String runId) {
    return events.records(runId).stream().map(r -> wire.decode(r.value(), RunEvent.class)).toList();
  }

  long count(String runId, RunEventType type, String job) {
    return eventsOf(runId).stream()
        .filter(e -> e.getType() == type && (job == null || job.equals(e.getJob())))
        .count();
  }

  /**
   * The first event of {@code type} (of {@code job}, if not null) of the run, once the events
   * reader has it: a run's end is read from Redis, its events from the topic, a moment apart.
   */
  RunEvent first(String runId, RunEventType type, String job) {
    awaitEvent(runId, type, job);
    return eventsOf(runId).stream()
        .filter(e -> e.getType() == type && (job == null || job.equals(e.getJob())))
        .findFirst()
        .orElseThrow();
  }

  void awaitEvent(String runId, RunEventType type, String job) {
    await().atMost(DEADLINE).until(() -> count(runId, type, job) > 0);
  }

  RunState awaitEnd(String runId) {
    await()
        .atMost(DEADLINE)
        .until(() -> engine.runs().find(runId).map(s -> s.status().isFinal()).orElse(false));
    return engine.runs().find(runId).orElseThrow();
  }

  /** Runs a CLI command against these topics; returns its exit code, output in {@code out}. */
  int cli(StringWriter out, String... args) {
    String[] all =
        Stream.concat(
                Arrays.stream(args),
                Stream.of("--bootstrap-server", bootstrap, "--topic-prefix", prefix))
            .toArray(String[]::new);
    return BatonCli.execute(all, new PrintWriter(out, true), new PrintWriter(out, true));
  }

  @Override
  public void close() {
    producer.close();
    events.close();
    deadLetters.close();
    dispatcher.close();
    engine.close();
    deleteTopics();
  }

  /**
   * Deletes this harness's topics and its engines' internal ones (names that start with the prefix
   * and a dot or a dash): the JVM's shared broker then holds the partitions of the classes running
   * now, not of every class before them, and each job process the JVM starts copies and closes
   * fewer of the broker's open files.
   */
  private void deleteTopics() {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      List<String> mine =
          admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
              .filter(t -> t.startsWith(prefix + ".") || t.startsWith(prefix + "-"))
              .toList();
      admin.deleteTopics(mine).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("could not delete the topics of " + prefix + ": " + e);
    }
  }
}
