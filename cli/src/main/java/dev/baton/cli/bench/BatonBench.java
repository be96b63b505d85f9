package dev.baton.cli.bench;

import dev.baton.cli.TemplatePublisher;
import dev.baton.cli.dev.ChildProcess;
import dev.baton.events.WorkflowTrigger;
import dev.baton.kafka.TopicAdmin;
import dev.baton.redis.RedisSettings;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import dev.baton.template.Templates;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Phase (b): Baton's engine in its own process, under a closed loop of N runs in flight, an open
 * loop at half the rate it reached, idle, and saturated; with the cost of each phase.
 */
final class BatonBench {
  private final BenchCmd plan;
  private final String bootstrap;
  private final Path work;
  private final Machine machine;
  private final RedisCeiling redis;
  private final PrintWriter out;
  private Map<String, String> extra = Map.of();
  private boolean onCluster;

  /** Runs of service steps, answered by the driver as a service on Kafka would answer them. */
  private boolean serviceSteps;

  BatonBench(
      BenchCmd plan,
      String bootstrap,
      Path work,
      Machine machine,
      RedisCeiling redis,
      PrintWriter out) {
    this.plan = plan;
    this.bootstrap = bootstrap;
    this.work = work;
    this.machine = machine;
    this.redis = redis;
    this.out = out;
  }

  /** Runs of service steps instead of dispatched jobs. */
  BatonBench serviceSteps() {
    serviceSteps = true;
    return this;
  }

  /** The phases on {@code mode}, with {@code extra} engine settings (named in each row). */
  List<BenchCmd.Row> run(String redisUrl, String mode, Map<String, String> extra) throws Exception {
    onCluster = RedisSettings.of(redisUrl).cluster();
    String name =
        "bench-"
            + mode.replace('_', '-')
            + (onCluster ? "-cluster" : "")
            + (extra.isEmpty() ? "" : "-x")
            + (serviceSteps ? "-svc" : "");
    this.extra = extra;
    Topics topics = Topics.withPrefix(name);
    String waitTopic = plan.waitStep ? name + ".bench-events" : null;
    String serviceTopic = serviceSteps ? name + ".bench-requests" : null;
    prepare(topics, waitTopic, serviceTopic);
    out.printf("(b) Baton, %s: starting its engine ...%n", mode);
    try (EngineProcess engine =
            EngineProcess.start(work, name + "-engine", engineSettings(name, redisUrl, mode));
        LoadDriver driver = driver(topics, name, null)) {
      if (waitTopic != null) {
        driver.publishEventsOnWait(waitTopic);
      }
      if (serviceTopic != null) {
        driver.answerServiceRequests(bootstrap, serviceTopic);
      }
      return phases(engine, driver, mode);
    }
  }

  /**
   * The tenant phases ({@code --tenants}): the engine shares {@code capacity} job slots between
   * tenants; a quiet tenant at 1 run/s alone, beside a noisy tenant, and under the noisy one's
   * name.
   */
  void tenants(String redisUrl, String mode, int capacity, Duration jobTime, int noisyInFlight)
      throws Exception {
    String name = "bench-tenants-" + mode.replace('_', '-');
    this.extra = Map.of("BATON_JOB_CAPACITY", Integer.toString(capacity));
    Topics topics = Topics.withPrefix(name);
    prepare(topics, null, null);
    out.printf(
        "(t) Baton, %s, %d job slots shared by tenants, jobs of %d ms: starting its engine ...%n",
        mode, capacity, jobTime.toMillis());
    TenantBench bench =
        new TenantBench(
            Duration.ofSeconds(Math.max(2, plan.warmup / 2)),
            Duration.ofSeconds(plan.seconds),
            noisyInFlight,
            out);
    try (EngineProcess engine =
            EngineProcess.start(work, name + "-engine", engineSettings(name, redisUrl, mode));
        LoadDriver quiet = driver(topics, name + "-quiet", "quiet");
        LoadDriver noisy = driver(topics, name + "-noisy", "noisy");
        LoadDriver quietAsNoisy = driver(topics, name + "-quiet-as-noisy", "noisy")) {
      for (LoadDriver d : List.of(quiet, noisy, quietAsNoisy)) {
        d.jobTime(jobTime);
      }
      TenantBench.Phase alone = bench.alone(quiet);
      TenantBench.Phase beside = bench.beside("quiet tenant beside the noisy one", quiet, noisy);
      TenantBench.Phase shared =
          bench.beside("the same runs under the noisy tenant's name", quietAsNoisy, noisy);
      out.println();
      out.printf(
          "tenants: %d job slots, jobs of %d ms, %d jobs per run; the noisy tenant keeps %d runs in"
              + " flight (%s)%n",
          capacity, jobTime.toMillis(), plan.jobs, noisyInFlight, mode);
      TenantBench.print(out, alone, beside, shared);
    }
  }

  /** The topics, the wait and service steps' topics if any, and the benchmark's template. */
  private void prepare(Topics topics, String waitTopic, String serviceTopic) throws Exception {
    TopicAdmin.ensureTopics(bootstrap, topics, plan.partitions, (short) 1, Map.of());
    try (var admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      var existing = admin.listTopics().names().get();
      List<NewTopic> missing =
          Stream.of(waitTopic, serviceTopic)
              .filter(t -> t != null && !existing.contains(t))
              .map(t -> new NewTopic(t, plan.partitions, (short) 1))
              .toList();
      admin.createTopics(missing).all().get();
    }
    String yaml = BenchTemplates.sequence(plan.jobs, waitTopic, serviceTopic);
    TemplatePublisher.publish(
        bootstrap,
        topics.templates(),
        List.of(
            new TemplatePublisher.Loaded(
                Path.of("bench-seq.yaml"), Templates.parse("bench-seq.yaml", yaml), yaml)));
  }

  /** A driver of runs named {@code runPrefix}-N, of {@code tenant} (null: none named). */
  private LoadDriver driver(Topics topics, String runPrefix, String tenant) {
    LoadDriver driver =
        new LoadDriver(
            bootstrap,
            topics.dispatch(),
            topics.completions(),
            topics.events(),
            Wire.json(),
            plan.jobs,
            runPrefix,
            trigger(topics, Wire.json(), tenant));
    driver.startReports(plan.startReports);
    return driver;
  }

  private Map<String, String> engineSettings(String name, String redisUrl, String mode) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("BATON_BOOTSTRAP_SERVERS", bootstrap);
    settings.put("BATON_REDIS_URL", redisUrl);
    settings.put("BATON_APPLICATION_ID", name + "-engine");
    settings.put("BATON_TOPIC_PREFIX", name);
    settings.put("BATON_REPLICATION_FACTOR", "1");
    settings.put("BATON_COMMIT_INTERVAL_MS", Long.toString(plan.commitInterval(mode).toMillis()));
    settings.put("BATON_PROCESSING_GUARANTEE", mode);
    settings.put("BATON_FINISHED_RUN_RETENTION_HOURS", "1");
    settings.put("BATON_KAFKA_NUM_STREAM_THREADS", Integer.toString(plan.threads));
    // The driver reports each attempt as its dispatcher would: signed with the engine's key.
    settings.put(AttemptTokens.KEY_VARIABLE, AttemptTokens.processDefault().keyText());
    settings.putAll(plan.engineEnv);
    settings.putAll(extra);
    return settings;
  }

  private static LoadDriver.Starter trigger(Topics topics, Wire wire, String tenant) {
    return runId ->
        new ProducerRecord<>(
            topics.triggers(),
            runId,
            wire.encode(
                topics.triggers(),
                WorkflowTrigger.newBuilder()
                    .setEventId("trigger:" + runId)
                    .setRunId(runId)
                    .setOccurredAt(Instant.now())
                    .setTemplate("bench-seq")
                    .setTenant(tenant)
                    .build()));
  }

  private List<BenchCmd.Row> phases(EngineProcess engine, LoadDriver driver, String mode)
      throws Exception {
    List<BenchCmd.Row> rows = new ArrayList<>();
    Path recording =
        plan.profile == null
            ? null
            : plan.profile.resolveSibling(mode + "-" + plan.profile.getFileName());
    out.printf("(b) Baton, %s, closed loop of %d ...%n", mode, plan.inFlight);
    Cost.Meter meter = new Cost.Meter(engine, machine, redis);
    LoadDriver.Result full =
        driver.closed(
            plan.inFlight,
            Duration.ofSeconds(plan.warmup),
            Duration.ofSeconds(plan.seconds),
            recording != null ? meter.recording(engine, recording) : meter);
    rows.add(row(plan.inFlight + " in flight", mode, full, meter));
    double halfRuns = plan.openRate > 0 ? plan.openRate : full.runsPerSecond() / 2;
    out.printf("(b) Baton, %s, open loop at %.1f runs/s ...%n", mode, halfRuns);
    meter = new Cost.Meter(engine, machine, redis);
    LoadDriver.Result half = driver.open(halfRuns, shortWarmup(), shortPhase(), meter);
    rows.add(row("half load", mode, half, meter));
    machine.idle(engine, out, mode);
    if (plan.saturated > 0) {
      out.printf("(b) Baton, %s, closed loop of %d ...%n", mode, plan.saturated);
      meter = new Cost.Meter(engine, machine, redis);
      LoadDriver.Result sat = driver.closed(plan.saturated, shortWarmup(), shortPhase(), meter);
      rows.add(row(plan.saturated + " in flight", mode, sat, meter));
      out.println("  " + driver.producerWaits());
      out.printf(
          "  heap after the saturated phase, after a full GC: engine %d MiB (JVM %s); the"
              + " dispatcher's part, played by this process's load driver, %d MiB%n",
          engine.heapAfterGcMiB(), ChildProcess.MAX_HEAP, ownHeapAfterGcMiB());
    }
    if (recording != null) {
      Profile.summarize(recording, out, "StreamThread", 12);
    }
    if (plan.heldRuns > 0 && mode.equals(plan.modes.get(plan.modes.size() - 1))) {
      out.printf("holding %d runs in flight ...%n", plan.heldRuns);
      driver.hold(plan.heldRuns, Duration.ofMinutes(10));
      out.printf(
          "engine heap with %d runs in flight: %d MiB used after a full GC (engine JVM %s)%n",
          driver.heldRuns(), engine.heapAfterGcMiB(), ChildProcess.MAX_HEAP);
    }
    return rows;
  }

  /** This process's heap in use right after a full GC, in MiB. */
  private static long ownHeapAfterGcMiB() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return (rt.totalMemory() - rt.freeMemory()) >> 20;
  }

  private BenchCmd.Row row(String phase, String mode, LoadDriver.Result result, Cost.Meter meter) {
    String settings =
        extra.entrySet().stream()
            .map(
                e ->
                    " "
                        + e.getKey().replace("BATON_REDIS_", "").toLowerCase(Locale.ROOT)
                        + "="
                        + e.getValue())
            .collect(Collectors.joining());
    if (onCluster) {
      settings = " on Redis Cluster" + settings;
    }
    return new BenchCmd.Row(
        "(b) Baton" + (serviceSteps ? ", service steps" : "") + ", " + phase + settings,
        mode,
        result,
        meter.cost(result));
  }

  private Duration shortWarmup() {
    return Duration.ofSeconds(plan.warmup / 2);
  }

  private Duration shortPhase() {
    return Duration.ofSeconds(plan.seconds / 2);
  }
}
