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
import dev.baton.serde.TopicAdmin;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * {@code baton bench}: on this machine, a broker and Redis in their own processes, then for each
 * processing guarantee (a) the ceiling topology, (b) Baton's engine with a no-op runtime at full
 * and at half load; (c) Redis's own round trip. Prints one table. See docs/benchmarks.md.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure step transitions per second and step latency: Baton's engine against a bare Kafka Streams",
        "pass-through with the same settings, and Redis's round trip. Starts its own broker and Redis.",
        "Defaults take about a minute and a half."})
public final class BenchCmd implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--jobs", defaultValue = "3", paramLabel = "K", description = "Jobs per run, in sequence (default: ${DEFAULT-VALUE})")
  int jobs;

  @Option(names = "--in-flight", defaultValue = "1000", paramLabel = "N",
      description = "Runs in flight at once (default: ${DEFAULT-VALUE}); a finished run is replaced by a new one")
  int inFlight;

  @Option(names = "--warmup", defaultValue = "3", paramLabel = "SECONDS", description = "Warm-up of each phase (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--seconds", defaultValue = "7", paramLabel = "SECONDS", description = "Measured time of each phase (default: ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--partitions", defaultValue = "4", paramLabel = "N", description = "Partitions per topic (default: ${DEFAULT-VALUE})")
  int partitions;

  @Option(names = "--commit-interval", defaultValue = "100", paramLabel = "MS",
      description = "Kafka Streams commit interval for ceiling and engine (default: ${DEFAULT-VALUE})")
  int commitInterval;

  @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
      description = "Stream threads of the ceiling topology and the engine (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--modes", defaultValue = "exactly_once_v2,at_least_once", split = ",", paramLabel = "MODE",
      description = "Processing guarantees to measure (default: ${DEFAULT-VALUE})")
  List<String> modes;

  @Option(names = "--held-runs", defaultValue = "0", paramLabel = "N",
      description = "After the phases, start N runs whose first job never ends and report the heap with them in flight (default: off)")
  int heldRuns;

  @Option(names = "--pod-starts", defaultValue = "30", paramLabel = "N",
      description = "Dispatches to time from dispatch to the job's start, on cold and on warm pods, against the mock API server"
          + " (default: ${DEFAULT-VALUE}; 0: skip)")
  int podStarts;

  @Option(names = "--profile", paramLabel = "FILE.jfr",
      description = "Record the exactly-once full-load phase with JFR into FILE and print where the time goes")
  Path profile;

  record Row(String what, String mode, LoadDriver.Result result, String heap, String redisPerTransition) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    for (String mode : modes) {
      if (!mode.equals(EngineConfig.EXACTLY_ONCE) && !mode.equals(EngineConfig.AT_LEAST_ONCE)) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "--modes takes " + EngineConfig.EXACTLY_ONCE + " and " + EngineConfig.AT_LEAST_ONCE + ", got '" + mode + "'");
      }
    }
    if (jobs < 1 || inFlight < 1 || seconds < 1 || partitions < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--jobs, --in-flight, --seconds and --partitions must be at least 1");
    }
    Path work = Files.createTempDirectory("baton-bench-");
    int kafkaPort = DevFiles.freePort();
    out.printf("baton bench: %d runs in flight, %d jobs per run, %d partitions, %d stream thread(s), commit interval %d ms;"
        + " %d s warm-up + %d s per phase%n", inFlight, jobs, partitions, threads, commitInterval, warmup, seconds);
    out.printf("machine: %d cores, %s %s, Java %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    ChildProcess broker = null;
    try (RedisServerProcess redisServer = RedisServerProcess.start(DevFiles.freePort())) {
      broker = BrokerProcess.start(work, kafkaPort, DevFiles.freePort());
      String bootstrap = "localhost:" + kafkaPort;
      List<Row> rows = new ArrayList<>();
      RedisCeiling.Result redisCeiling;
      try (RedisCeiling redis = new RedisCeiling(redisServer.url())) {
        out.println("(c) Redis round trip ...");
        redisCeiling = redis.measure(Duration.ofSeconds(2));
        for (String mode : modes) {
          out.printf("(a) ceiling, %s ...%n", mode);
          rows.add(ceiling(bootstrap, work, mode));
          out.printf("(b) Baton, %s ...%n", mode);
          rows.addAll(baton(bootstrap, redisServer.url(), work, mode, redis, out));
        }
      }
      printTable(out, rows, redisCeiling);
      if (podStarts > 0) {
        TopicAdmin.ensureTopics(bootstrap, Topics.withPrefix("bench-pods"), 1, (short) 1);
        PodStarts.Result pods = PodStarts.measure(bootstrap, Topics.withPrefix("bench-pods").completions(), podStarts);
        out.printf("dispatch -> job start, %d each, against the mock API server (no kubelet: Baton's share only):%n", podStarts);
        out.printf("  cold pod (pod created; a real cluster adds scheduling, image pull, container start): p50 %.1f ms, p99 %.1f ms%n",
            pods.cold().percentileMillis(50), pods.cold().percentileMillis(99));
        out.printf("  warm pod (exec requested; a real cluster adds the exec round trip to the kubelet):     p50 %.1f ms, p99 %.1f ms%n",
            pods.warm().percentileMillis(50), pods.warm().percentileMillis(99));
      }
      return 0;
    } finally {
      if (broker != null) {
        broker.kill();
      }
      DevFiles.deleteTree(work);
    }
  }

  private Row ceiling(String bootstrap, Path work, String mode) throws Exception {
    Topics topics = Topics.withPrefix("bench-ceiling-" + mode.replace('_', '-'));
    TopicAdmin.ensureTopics(bootstrap, topics, partitions, (short) 1);
    Wire wire = Wire.json();
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, topics.completions() + "-app");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, mode);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    p.put(StreamsConfig.STATE_DIR_CONFIG, work.resolve("ceiling-" + mode).toString());
    p.putAll(Engine.producerDefaults(mode));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    try (KafkaStreams streams = new KafkaStreams(CeilingTopology.build(topics.completions(), topics.dispatch(), wire), p)) {
      streams.start();
      awaitRunning(streams);
      LoadDriver.Starter seed = runId -> new ProducerRecord<>(topics.completions(), runId, wire.encode(topics.completions(),
          JobCompletion.newBuilder().setRunId(runId).setJob("start").setAttempt(1).setStatus(dev.baton.events.CompletionStatus.SUCCEEDED)
              .setOccurredAt(Instant.now()).build()));
      try (LoadDriver driver = new LoadDriver(bootstrap, topics.dispatch(), topics.completions(), wire, jobs, "ceiling", seed)) {
        LoadDriver.Result full = driver.run(inFlight, 0, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds));
        return new Row("(a) ceiling, full load", mode, full, "", "");
      }
    }
  }

  private List<Row> baton(String bootstrap, String redisUrl, Path work, String mode, RedisCeiling redis, PrintWriter out) throws Exception {
    String name = "bench-" + mode.replace('_', '-');
    Topics topics = Topics.withPrefix(name);
    TopicAdmin.ensureTopics(bootstrap, topics, partitions, (short) 1);
    TemplatePublisher.publish(bootstrap, topics.templates(), List.of(new TemplatePublisher.Loaded(Path.of("bench-seq.yaml"),
        Templates.parse("bench-seq.yaml", template(jobs)), template(jobs))));
    EngineConfig config = new EngineConfig(bootstrap, redisUrl, name + "-engine", topics, work.resolve(name), Duration.ofMillis(commitInterval),
        (short) 1, Duration.ofHours(1), 1000, Map.of(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads)), Wire.json(), mode);
    Wire wire = Wire.json();
    List<Row> rows = new ArrayList<>();
    try (Engine engine = new Engine(config).start()) {
      if (!engine.awaitRunning(Duration.ofSeconds(60))) {
        throw new IllegalStateException("the engine did not start within 60 s");
      }
      LoadDriver.Starter trigger = runId -> new ProducerRecord<>(topics.triggers(), runId, wire.encode(topics.triggers(),
          WorkflowTrigger.newBuilder().setEventId("trigger:" + runId).setRunId(runId).setOccurredAt(Instant.now())
              .setTemplate("bench-seq").build()));
      try (LoadDriver driver = new LoadDriver(bootstrap, topics.dispatch(), topics.completions(), wire, jobs, name, trigger)) {
        Profile recording = profile != null && mode.equals(EngineConfig.EXACTLY_ONCE) ? new Profile(profile) : null;
        long commandsBefore = redis.commandsProcessed();
        long dispatchesBefore = driver.dispatches();
        LoadDriver.Result full = driver.run(inFlight, 0, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds));
        long commands = redis.commandsProcessed() - commandsBefore;
        long dispatches = driver.dispatches() - dispatchesBefore;
        if (recording != null) {
          recording.stop();
        }
        rows.add(new Row("(b) Baton, full load", mode, full, heapAfterGc(), perTransition(commands, dispatches)));
        double halfRate = full.perSecond() / 2 * (jobs + 1) / jobs; // records published per second for half the transitions
        LoadDriver.Result half = driver.run(inFlight, halfRate, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds));
        rows.add(new Row("(b) Baton, half load", mode, half, "", ""));
        if (heldRuns > 0 && mode.equals(modes.get(modes.size() - 1))) {
          out.printf("holding %d runs in flight ...%n", heldRuns);
          driver.hold(heldRuns, Duration.ofMinutes(10));
          out.printf("heap with %d runs in flight: %s%n", driver.heldRuns(), heapAfterGc());
        }
        if (recording != null) {
          recording.summarize(out, name + "-engine", 12);
          recording.close();
        }
      }
    }
    return rows;
  }

  /** Redis commands over a whole phase (warm-up and drain included: every run started in it ended) per dispatch. */
  private static String perTransition(long commands, long dispatches) {
    return dispatches == 0 ? "" : String.format("%.1f", (double) commands / dispatches);
  }

  static String template(int jobs) {
    StringBuilder yaml = new StringBuilder("name: bench-seq\nversion: 1\ndescription: The benchmark's sequence of no-op jobs.\njobs:\n");
    for (int i = 1; i <= jobs; i++) {
      yaml.append("  - name: step-").append(i).append("\n    image: busybox:1.36\n    command: [\"true\"]\n");
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

  private static String heapAfterGc() {
    System.gc();
    return (ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20) + " MiB";
  }

  private void printTable(PrintWriter out, List<Row> rows, RedisCeiling.Result redis) {
    out.println();
    out.printf("%-24s %-16s %12s %8s %9s %9s %9s %11s %10s %s%n", "phase", "mode", "transitions/s", "b/a", "p50 ms", "p95 ms", "p99 ms",
        "start p50", "heap*", "Redis cmds/transition");
    Map<String, Double> ceilings = new java.util.HashMap<>();
    for (Row r : rows) {
      if (r.what().startsWith("(a)")) {
        ceilings.put(r.mode(), r.result().perSecond());
      }
    }
    for (Row r : rows) {
      LoadDriver.Result x = r.result();
      Double ceiling = ceilings.get(r.mode());
      String ratio = r.what().startsWith("(b)") && r.what().contains("full") && ceiling != null ? String.format("%.2f", x.perSecond() / ceiling) : "";
      out.printf("%-24s %-16s %12.0f %8s %9.1f %9.1f %9.1f %11.1f %10s %s%n", r.what(), r.mode(), x.perSecond(), ratio,
          x.transitionLatency().percentileMillis(50), x.transitionLatency().percentileMillis(95), x.transitionLatency().percentileMillis(99),
          x.startLatency().percentileMillis(50), r.heap(), r.redisPerTransition());
    }
    out.printf("(c) Redis round trip (Redisson, GET): %.0f/s one at a time (p50 %.0f µs, p99 %.0f µs), %.0f/s pipelined%n",
        redis.sequentialPerSecond(), redis.p50Micros(), redis.p99Micros(), redis.pipelinedPerSecond());
    out.println("latency: completion published -> next dispatch received by the runtime; start: trigger published -> first dispatch received");
    out.println("* heap used after a GC in this process (engine and load driver), after the full-load phase");
  }
}
