package dev.baton.cli.bench;

import dev.baton.cli.dev.BrokerProcess;
import dev.baton.cli.dev.ChildProcess;
import dev.baton.cli.dev.DevFiles;
import dev.baton.engine.EngineConfig;
import dev.baton.redis.RedisClusterProcess;
import dev.baton.redis.RedisServerProcess;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
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
      names = "--wait-step",
      description =
          "Put an event wait after the first job: the runtime publishes each run's event when the run waits,"
              + " and the tables show event published -> next job dispatched beside a plain step")
  boolean waitStep;

  @Option(
      names = "--service-step",
      description =
          "Measure also runs of service steps (a request record answered at once by a service in"
              + " this process) beside the runs of dispatched jobs")
  boolean serviceStep;

  @Option(
      names = "--replica-acks",
      description =
          "Give the benchmark's Redis a replica and measure Baton again with BATON_REDIS_REPLICA_ACKS=1"
              + " (each batch waits until the replica has its saves), beside the run without")
  boolean replicaAcks;

  @Option(
      names = "--redis-cluster",
      description =
          "Measure Baton again on a Redis Cluster (3 masters with a replica each, started here), without and with"
              + " BATON_REDIS_REPLICA_ACKS=1, beside the run on one Redis server")
  boolean redisCluster;

  @Option(
      names = "--keep-work",
      description =
          "Keep the work directory (the engine's and broker's logs) and print where it is")
  boolean keepWork;

  @Option(
      names = "--tenants",
      description =
          "Instead of the phases above: a quiet tenant's start latency at 1 run/s, alone and beside a noisy tenant whose"
              + " backlog keeps every job slot busy")
  boolean tenants;

  @Option(
      names = "--capacity",
      defaultValue = "8",
      paramLabel = "N",
      description =
          "With --tenants: the engine's job slots (BATON_JOB_CAPACITY; default: ${DEFAULT-VALUE})")
  int capacity;

  @Option(
      names = "--job-ms",
      defaultValue = "100",
      paramLabel = "MS",
      description = "With --tenants: how long each job takes (default: ${DEFAULT-VALUE})")
  int jobMillis;

  @Option(
      names = "--noisy-runs",
      defaultValue = "400",
      paramLabel = "N",
      description = "With --tenants: the noisy tenant's runs in flight (default: ${DEFAULT-VALUE})")
  int noisyRuns;

  @Option(
      names = "--start-reports",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Each job reports STARTED before its end, as the dispatcher does (default: on; --no-start-reports leaves the"
              + " reports out, to compare)")
  boolean startReports;

  @Option(
      names = "--profile",
      paramLabel = "FILE.jfr",
      description =
          "Record the engine with JFR during each closed loop of N runs, into MODE-FILE beside FILE, and print where its time goes")
  Path profile;

  @Option(
      names = "--artifacts",
      paramLabel = "MiB",
      description =
          "Measure only the artifact store: MiB through s3proxy on a local directory, beside a plain copy")
  int artifactsMb;

  /** One measured phase: what the runtime saw, and what the processes spent on it. */
  record Row(String phase, String mode, LoadDriver.Result result, Cost cost) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    validate();
    if (artifactsMb > 0) {
      ArtifactThroughput.run(artifactsMb, out);
      return 0;
    }
    Path work = Files.createTempDirectory("baton-bench-");
    int kafkaPort = DevFiles.freePort();
    BenchPlan.print(this, out);
    ChildProcess broker = null;
    RedisServerProcess replica = null;
    RedisClusterProcess cluster = null;
    try (RedisServerProcess redisServer = RedisServerProcess.start(DevFiles.freePort())) {
      broker = BrokerProcess.start(work, kafkaPort, DevFiles.freePort());
      Machine machine =
          new Machine(
              new ProcessStats("broker", broker.pid()),
              new ProcessStats(
                  "redis", redisServer.pids().isEmpty() ? -1 : redisServer.pids().get(0)));
      String bootstrap = "localhost:" + kafkaPort;
      if (replicaAcks) {
        Path replicaDir = Files.createDirectories(work.resolve("redis-replica"));
        replica =
            RedisServerProcess.start(
                DevFiles.freePort(),
                null,
                List.of(
                    "--replicaof",
                    "127.0.0.1",
                    redisServer.url().substring(redisServer.url().lastIndexOf(':') + 1),
                    "--dir",
                    replicaDir.toString()));
      }
      if (redisCluster) {
        out.println("(c) starting a Redis Cluster: 3 masters, a replica each ...");
        cluster =
            RedisClusterProcess.start(
                Files.createDirectories(work.resolve("redis-cluster")), 3, 1, DevFiles::freePort);
      }
      if (tenants) {
        try (RedisCeiling redis = new RedisCeiling(redisServer.url())) {
          new BatonBench(this, bootstrap, work, machine, redis, out)
              .tenants(
                  redisServer.url(),
                  modes.get(0),
                  capacity,
                  Duration.ofMillis(jobMillis),
                  noisyRuns);
        }
        return 0;
      }
      List<Row> rows = new ArrayList<>();
      RedisCeiling.Result redisCeiling;
      try (RedisCeiling redis = new RedisCeiling(redisServer.url())) {
        out.println("(c) Redis round trip ...");
        redisCeiling = redis.measure(Duration.ofSeconds(2));
        for (String mode : modes) {
          rows.add(CeilingBench.run(this, bootstrap, work, mode, inFlight, out));
          if (mode.equals(EngineConfig.EXACTLY_ONCE)) {
            rows.add(CeilingBench.committingWhenDrained(this, bootstrap, work, inFlight, out));
          }
          rows.addAll(
              new BatonBench(this, bootstrap, work, machine, redis, out)
                  .run(redisServer.url(), mode, Map.of()));
          if (serviceStep) {
            rows.addAll(
                new BatonBench(this, bootstrap, work, machine, redis, out)
                    .serviceSteps()
                    .run(redisServer.url(), mode, Map.of()));
          }
          if (replica != null) {
            rows.addAll(
                new BatonBench(this, bootstrap, work, machine, redis, out)
                    .run(redisServer.url(), mode, Map.of("BATON_REDIS_REPLICA_ACKS", "1")));
          }
          if (cluster != null) {
            rows.addAll(
                new BatonBench(this, bootstrap, work, machine, redis, out)
                    .run(cluster.url(), mode, Map.of()));
            rows.addAll(
                new BatonBench(this, bootstrap, work, machine, redis, out)
                    .run(cluster.url(), mode, Map.of("BATON_REDIS_REPLICA_ACKS", "1")));
          }
          if (saturated > 0) {
            rows.add(CeilingBench.run(this, bootstrap, work, mode, saturated, out));
          }
        }
      }
      BenchTables.print(out, rows, redisCeiling, jobs);
      if (podStarts > 0) {
        PodStarts.print(bootstrap, podStarts, out);
      }
      return 0;
    } finally {
      if (replica != null) {
        replica.close();
      }
      if (cluster != null) {
        cluster.close();
      }
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
    if (artifactsMb < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--artifacts takes MiB, 1 or more, got " + artifactsMb);
    }
    for (String mode : modes) {
      if (!mode.equals(EngineConfig.EXACTLY_ONCE) && !mode.equals(EngineConfig.AT_LEAST_ONCE)) {
        throw new CommandLine.ParameterException(
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
        || openRate < 0
        || capacity < 1
        || jobMillis < 0
        || noisyRuns < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--jobs, --in-flight, --partitions, --threads, --capacity and --noisy-runs must be at least 1, --seconds at"
              + " least 2, --warmup, --saturated, --commit-interval, --open-rate and --job-ms at least 0");
    }
  }

  Duration commitInterval(String mode) {
    return commitInterval > 0
        ? Duration.ofMillis(commitInterval)
        : EngineConfig.defaultCommitInterval(mode);
  }
}
