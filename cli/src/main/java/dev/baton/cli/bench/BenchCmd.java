package dev.baton.cli.bench;

import dev.baton.cli.TemplatePublisher;
import dev.baton.cli.dev.BrokerProcess;
import dev.baton.cli.dev.ChildProcess;
import dev.baton.cli.dev.DevFiles;
import dev.baton.cli.dev.RedisServerProcess;
import dev.baton.engine.Engine;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.template.Templates;
import dev.baton.events.JobCompletion;
import dev.baton.events.WorkflowTrigger;
import dev.baton.kafka.TopicAdmin;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code baton bench}: the peers' workload on this machine. A broker, Redis and, per processing
 * guarantee, Baton's engine, each in its own process; the benchmark's no-op runtime in this one.
 * Per guarantee: (a) the pass-through ceiling, (b) the engine with a closed loop of N runs in
 * flight, then an open loop at half the rate it reached, then saturated; the CPU time and peak
 * memory of engine, broker and Redis per workflow. See docs/benchmarks.md.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure Baton on the peers' workload: runs of K no-op jobs in sequence, a closed loop of N runs in flight, then",
      "half of that rate offered open loop, then saturated; step latency, start and end-to-end latency, and the CPU time",
      "and memory of engine, broker and Redis per workflow, against a bare Kafka Streams pass-through with the same",
      "settings. Starts its own broker, Redis and engine. Defaults take about ten minutes."
    })
public final class BenchCmd implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--jobs",
      defaultValue = "3",
      paramLabel = "K",
      description = "Jobs per run, in sequence (default: ${DEFAULT-VALUE})")
  int jobs;

  @Option(
      names = "--in-flight",
      defaultValue = "32",
      paramLabel = "N",
      description =
          "Runs in flight in the closed loop (default: ${DEFAULT-VALUE}); a run that ends is replaced by a new one")
  int inFlight;

  @Option(
      names = "--saturated",
      defaultValue = "5000",
      paramLabel = "N",
      description = "Runs in flight in the saturated phase (default: ${DEFAULT-VALUE}; 0: skip it)")
  int saturated;

  @Option(
      names = "--warmup",
      defaultValue = "20",
      paramLabel = "SECONDS",
      description =
          "Load before the first measured window of each guarantee (default: ${DEFAULT-VALUE}); other phases settle for half of it")
  int warmup;

  @Option(
      names = "--seconds",
      defaultValue = "60",
      paramLabel = "SECONDS",
      description =
          "Measured window of the closed loop (default: ${DEFAULT-VALUE}); the other phases measure half of it")
  int seconds;

  @Option(
      names = "--partitions",
      defaultValue = "4",
      paramLabel = "N",
      description = "Partitions per topic (default: ${DEFAULT-VALUE})")
  int partitions;

  @Option(
      names = "--commit-interval",
      defaultValue = "0",
      paramLabel = "MS",
      description =
          "Commit interval of ceiling and engine (default: the engine's own for each guarantee: 10 ms exactly once, 100 ms"
              + " at least once)")
  int commitInterval;

  @Option(
      names = "--threads",
      defaultValue = "1",
      paramLabel = "N",
      description =
          "Stream threads of the ceiling topology and the engine (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(
      names = "--modes",
      defaultValue = "exactly_once_v2,at_least_once",
      split = ",",
      paramLabel = "MODE",
      description = "Processing guarantees to measure (default: ${DEFAULT-VALUE})")
  List<String> modes;

  @Option(
      names = "--open-rate",
      defaultValue = "0",
      paramLabel = "RUNS_PER_SECOND",
      description =
          "Runs per second of the open loop (default: half the closed loop's rate), to compare settings at one load")
  double openRate;

  @Option(
      names = "--held-runs",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "After the phases, start N runs whose first job never ends and report the engine's heap with them in flight (default: off)")
  int heldRuns;

  @Option(
      names = "--pod-starts",
      defaultValue = "30",
      paramLabel = "N",
      description =
          "Dispatches to time from dispatch to the job's start, on cold and on warm pods, against the mock API server"
              + " (default: ${DEFAULT-VALUE}; 0: skip)")
  int podStarts;

  @Option(
      names = "--engine-env",
      paramLabel = "NAME=VALUE",
      split = ",",
      description =
          "More settings for the engine, as its environment (BATON_*; BATON_KAFKA_* for Kafka Streams), to compare settings")
  Map<String, String> engineEnv = new LinkedHashMap<>();

  @Option(
      names = "--keep-work",
      description =
          "Keep the work directory (the engine's and broker's logs) and print where it is")
  boolean keepWork;

  @Option(
      names = "--profile",
      paramLabel = "FILE.jfr",
      description =
          "Record the engine with JFR during each closed loop of N runs, into MODE-FILE beside FILE, and print where its time goes")
  Path profile;

  /** One measured phase: what the runtime saw, and what the processes spent on it. */
  record Row(String phase, String mode, LoadDriver.Result result, Cost cost) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    validate();
    Path work = Files.createTempDirectory("baton-bench-");
    int kafkaPort = DevFiles.freePort();
    out.printf(
        "baton bench: %d no-op jobs per run; closed loop of %d runs in flight (%d s), then half its rate open loop (%d s)%s;"
            + " %d partitions, %d stream thread(s), commit interval %s%n",
        jobs,
        inFlight,
        seconds,
        seconds / 2,
        saturated > 0 ? ", then " + saturated + " in flight (" + seconds / 2 + " s)" : "",
        partitions,
        threads,
        commitInterval > 0 ? commitInterval + " ms" : "the engine's default");
    out.printf(
        "machine: %d cores (%s), %s %s, Java %s; %s%n",
        Runtime.getRuntime().availableProcessors(),
        cpuModel(),
        System.getProperty("os.name"),
        System.getProperty("os.arch"),
        System.getProperty("java.version"),
        LocalDate.now());
    ChildProcess broker = null;
    try (RedisServerProcess redisServer = RedisServerProcess.start(DevFiles.freePort())) {
      broker = BrokerProcess.start(work, kafkaPort, DevFiles.freePort());
      Machine machine =
          new Machine(
              new ProcessStats("broker", broker.pid()),
              new ProcessStats(
                  "redis", redisServer.pids().isEmpty() ? -1 : redisServer.pids().get(0)));
      String bootstrap = "localhost:" + kafkaPort;
      List<Row> rows = new ArrayList<>();
      RedisCeiling.Result redisCeiling;
      try (RedisCeiling redis = new RedisCeiling(redisServer.url())) {
        out.println("(c) Redis round trip ...");
        redisCeiling = redis.measure(Duration.ofSeconds(2));
        for (String mode : modes) {
          rows.add(ceiling(bootstrap, work, mode, inFlight, out));
          rows.addAll(baton(bootstrap, redisServer.url(), work, mode, redis, machine, out));
          if (saturated > 0) {
            rows.add(ceiling(bootstrap, work, mode, saturated, out));
          }
        }
      }
      BenchTables.print(out, rows, redisCeiling, jobs);
      if (podStarts > 0) {
        podStarts(bootstrap, out);
      }
      return 0;
    } finally {
      if (broker != null) {
        broker.kill();
      }
      if (keepWork) {
        out.println("work directory kept: " + work);
      } else {
        DevFiles.deleteTree(work);
      }
    }
  }

  private void validate() {
    for (String mode : modes) {
      if (!mode.equals(EngineConfig.EXACTLY_ONCE) && !mode.equals(EngineConfig.AT_LEAST_ONCE)) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "--modes takes "
                + EngineConfig.EXACTLY_ONCE
                + " and "
                + EngineConfig.AT_LEAST_ONCE
                + ", got '"
                + mode
                + "'");
      }
    }
    if (jobs < 1
        || inFlight < 1
        || seconds < 2
        || partitions < 1
        || threads < 1
        || warmup < 0
        || saturated < 0
        || commitInterval < 0
        || openRate < 0) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--jobs, --in-flight, --partitions and --threads must be at least 1, --seconds at least 2, --warmup, --saturated,"
              + " --commit-interval and --open-rate at least 0");
    }
  }

  /** The processes whose cost is measured besides the engine. */
  record Machine(ProcessStats broker, ProcessStats redis) {}

  private Row ceiling(String bootstrap, Path work, String mode, int runs, PrintWriter out)
      throws Exception {
    out.printf("(a) ceiling, %s, %d in flight ...%n", mode, runs);
    Topics topics = Topics.withPrefix("bench-ceiling-" + mode.replace('_', '-') + "-" + runs);
    TopicAdmin.ensureTopics(bootstrap, topics, partitions, (short) 1, java.util.Map.of());
    Wire wire = Wire.json();
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, topics.completions() + "-app");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, mode);
    Duration interval = commitInterval(mode);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, interval.toMillis());
    if (mode.equals(EngineConfig.EXACTLY_ONCE)) {
      p.put(
          StreamsConfig.POLL_MS_CONFIG,
          Math.max(1, Math.min(100, 2 * interval.toMillis()))); // as the engine does
    }
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    p.put(StreamsConfig.STATE_DIR_CONFIG, work.resolve("ceiling-" + mode + "-" + runs).toString());
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
    p.putAll(Engine.producerDefaults(mode));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    boolean exactlyOnce = mode.equals(EngineConfig.EXACTLY_ONCE);
    try (KafkaStreams streams =
        new KafkaStreams(
            CeilingTopology.build(
                topics.completions(), topics.dispatch(), wire, exactlyOnce ? interval : null),
            p)) {
      streams.start();
      awaitRunning(streams);
      LoadDriver.Starter seed =
          runId ->
              new ProducerRecord<>(
                  topics.completions(),
                  runId,
                  wire.encode(
                      topics.completions(),
                      JobCompletion.newBuilder()
                          .setRunId(runId)
                          .setJob("start")
                          .setAttempt(1)
                          .setStatus(dev.baton.events.CompletionStatus.SUCCEEDED)
                          .setOccurredAt(Instant.now())
                          .build()));
      try (LoadDriver driver =
          new LoadDriver(
              bootstrap,
              topics.dispatch(),
              topics.completions(),
              null,
              wire,
              jobs,
              "ceiling",
              seed)) {
        LoadDriver.Result result =
            driver.closed(
                runs,
                Duration.ofSeconds(warmup / 2),
                Duration.ofSeconds(seconds / 2),
                LoadDriver.Window.NONE);
        return new Row("(a) ceiling, " + runs + " in flight", mode, result, null);
      }
    }
  }

  private List<Row> baton(
      String bootstrap,
      String redisUrl,
      Path work,
      String mode,
      RedisCeiling redis,
      Machine machine,
      PrintWriter out)
      throws Exception {
    String name = "bench-" + mode.replace('_', '-');
    Topics topics = Topics.withPrefix(name);
    TopicAdmin.ensureTopics(bootstrap, topics, partitions, (short) 1, java.util.Map.of());
    TemplatePublisher.publish(
        bootstrap,
        topics.templates(),
        List.of(
            new TemplatePublisher.Loaded(
                Path.of("bench-seq.yaml"),
                Templates.parse("bench-seq.yaml", template(jobs)),
                template(jobs))));
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("BATON_BOOTSTRAP_SERVERS", bootstrap);
    settings.put("BATON_REDIS_URL", redisUrl);
    settings.put("BATON_APPLICATION_ID", name + "-engine");
    settings.put("BATON_TOPIC_PREFIX", name);
    settings.put("BATON_REPLICATION_FACTOR", "1");
    settings.put("BATON_COMMIT_INTERVAL_MS", Long.toString(commitInterval(mode).toMillis()));
    settings.put("BATON_PROCESSING_GUARANTEE", mode);
    settings.put("BATON_FINISHED_RUN_RETENTION_HOURS", "1");
    settings.put("BATON_KAFKA_NUM_STREAM_THREADS", Integer.toString(threads));
    // The driver reports each attempt as its dispatcher would: signed with the engine's key.
    settings.put(AttemptTokens.KEY_VARIABLE, AttemptTokens.processDefault().keyText());
    settings.putAll(engineEnv);
    Wire wire = Wire.json();
    List<Row> rows = new ArrayList<>();
    out.printf("(b) Baton, %s: starting its engine ...%n", mode);
    try (EngineProcess engine = EngineProcess.start(work, name + "-engine", settings)) {
      LoadDriver.Starter trigger =
          runId ->
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
                          .build()));
      try (LoadDriver driver =
          new LoadDriver(
              bootstrap,
              topics.dispatch(),
              topics.completions(),
              topics.events(),
              wire,
              jobs,
              name,
              trigger)) {
        Path recording =
            profile == null ? null : profile.resolveSibling(mode + "-" + profile.getFileName());
        boolean record = recording != null;
        out.printf("(b) Baton, %s, closed loop of %d ...%n", mode, inFlight);
        Cost.Meter meter = new Cost.Meter(engine, machine, redis);
        LoadDriver.Result full =
            driver.closed(
                inFlight,
                Duration.ofSeconds(warmup),
                Duration.ofSeconds(seconds),
                record ? meter.recording(engine, recording) : meter);
        rows.add(new Row("(b) Baton, " + inFlight + " in flight", mode, full, meter.cost(full)));
        double halfRuns = openRate > 0 ? openRate : full.runsPerSecond() / 2;
        out.printf("(b) Baton, %s, open loop at %.1f runs/s ...%n", mode, halfRuns);
        meter = new Cost.Meter(engine, machine, redis);
        LoadDriver.Result half =
            driver.open(
                halfRuns, Duration.ofSeconds(warmup / 2), Duration.ofSeconds(seconds / 2), meter);
        rows.add(new Row("(b) Baton, half load", mode, half, meter.cost(half)));
        idle(engine, machine, out, mode);
        if (saturated > 0) {
          out.printf("(b) Baton, %s, closed loop of %d ...%n", mode, saturated);
          meter = new Cost.Meter(engine, machine, redis);
          LoadDriver.Result sat =
              driver.closed(
                  saturated,
                  Duration.ofSeconds(warmup / 2),
                  Duration.ofSeconds(seconds / 2),
                  meter);
          rows.add(new Row("(b) Baton, " + saturated + " in flight", mode, sat, meter.cost(sat)));
          out.println("  " + driver.producerWaits());
        }
        if (record) {
          Profile.summarize(recording, out, "StreamThread", 12);
        }
        if (heldRuns > 0 && mode.equals(modes.get(modes.size() - 1))) {
          out.printf("holding %d runs in flight ...%n", heldRuns);
          driver.hold(heldRuns, Duration.ofMinutes(10));
          out.printf(
              "engine heap with %d runs in flight: %d MiB used after a full GC (engine JVM %s)%n",
              driver.heldRuns(), engine.heapAfterGcMiB(), ChildProcess.MAX_HEAP);
        }
      }
    }
    return rows;
  }

  /**
   * What engine, broker and Redis spend with no run in flight: Baton should cost nothing when idle.
   */
  private static void idle(EngineProcess engine, Machine machine, PrintWriter out, String mode)
      throws InterruptedException {
    ProcessStats engineStats = new ProcessStats("engine", engine.pid());
    ProcessStats[] all = {engineStats, machine.broker(), machine.redis()};
    Thread.sleep(3000);
    long[] before = new long[all.length];
    for (int i = 0; i < all.length; i++) {
      before[i] = all[i].cpuMillis();
    }
    Thread.sleep(10_000);
    StringBuilder line = new StringBuilder("  idle (no run in flight, 10 s), " + mode + ": CPU");
    for (int i = 0; i < all.length; i++) {
      line.append(
          String.format(" %s %.1f%%", all[i].name(), (all[i].cpuMillis() - before[i]) / 100.0));
    }
    out.println(line.append(" of a core"));
  }

  private Duration commitInterval(String mode) {
    return commitInterval > 0
        ? Duration.ofMillis(commitInterval)
        : EngineConfig.defaultCommitInterval(mode);
  }

  private void podStarts(String bootstrap, PrintWriter out) throws Exception {
    TopicAdmin.ensureTopics(
        bootstrap, Topics.withPrefix("bench-pods"), 1, (short) 1, java.util.Map.of());
    PodStarts.Result pods =
        PodStarts.measure(bootstrap, Topics.withPrefix("bench-pods").completions(), podStarts);
    out.printf(
        "dispatch -> job start, %d each, against the mock API server (no kubelet: Baton's share only):%n",
        podStarts);
    out.printf(
        "  cold pod (pod created; a real cluster adds scheduling, image pull, container start): p50 %.1f ms, p99 %.1f ms%n",
        pods.cold().percentileMillis(50), pods.cold().percentileMillis(99));
    out.printf(
        "  warm pod (exec requested; a real cluster adds the exec round trip to the kubelet):     p50 %.1f ms, p99 %.1f ms%n",
        pods.warm().percentileMillis(50), pods.warm().percentileMillis(99));
  }

  static String template(int jobs) {
    StringBuilder yaml =
        new StringBuilder(
            "name: bench-seq\nversion: 1\ndescription: The benchmark's sequence of no-op jobs.\njobs:\n");
    for (int i = 1; i <= jobs; i++) {
      yaml.append("  - name: step-")
          .append(i)
          .append("\n    image: busybox:1.36\n    command: [\"true\"]\n");
    }
    return yaml.toString();
  }

  private static void awaitRunning(KafkaStreams streams) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the ceiling topology did not start within 60 s");
      }
      Thread.sleep(20);
    }
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown CPU");
    } catch (java.io.IOException e) {
      return "unknown CPU";
    }
  }
}
