package dev.baton.cli.chaos;

import dev.baton.cli.TemplatePublisher;
import dev.baton.cli.dev.ChildProcess;
import dev.baton.kafka.TopicAdmin;
import dev.baton.serde.Topics;
import dev.baton.template.Templates;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code baton chaos}: proves exactly-once under faults. Starts a broker, Redis (AOF), two engines
 * and two dispatchers as processes, runs N three-job runs whose jobs append (run, job, attempt) to
 * a ledger, and meanwhile kills -9 engines and dispatchers (restarting each) and restarts the
 * broker and Redis. Then checks the ledger, Redis and baton.events; exits 1 if a run was lost,
 * stuck, failed, or a job attempt executed twice. With {@code --redis-cluster}: a Redis Cluster of
 * 3 masters with a replica each, three engines over 12 partitions, and the faults are a master
 * killed (its replica takes over), engines killed, and a fourth engine added and removed.
 */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description = "Run the fault-injection proof of exactly-once (see docs/reliability.md).")
public final class ChaosCmd implements Callable<Integer> {
  static final String TEMPLATE =
      """
      name: chaos
      version: 1
      maxConcurrentRuns: 64         # in flight at once: the rest wait QUEUED, as a real deployment would bound them
      params:
        ledger: {required: true}
        kcat: {default: ""}         # a broker address: job two reports itself with kcat's default partitioner
        reporter: {default: ""}
        linger: {default: "0"}      # seconds job one runs on: a broker outage then ends some jobs
      jobs:
        - {name: one, command: [sh, -c, 'echo "$BATON_RUN_ID $BATON_JOB $BATON_ATTEMPT" >> "$ledger"; sleep "$linger"'], timeout: 10s, startTimeout: 30s,
           retry: {limit: 10, backoff: {initial: 500ms, max: 5s}}}
        - {name: two, command: [sh, -c, 'echo "$BATON_RUN_ID $BATON_JOB $BATON_ATTEMPT" >> "$ledger"; [ -z "$kcat" ] || sh "$reporter"'], timeout: 10s, startTimeout: 30s,
           retry: {limit: 10, backoff: {initial: 500ms, max: 5s}}}
        - {name: three, command: [sh, -c, 'echo "$BATON_RUN_ID $BATON_JOB $BATON_ATTEMPT" >> "$ledger"'], timeout: 10s, startTimeout: 30s,
           retry: {limit: 10, backoff: {initial: 500ms, max: 5s}}}
      """;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--runs",
      defaultValue = "10000",
      description = "Runs to start (default: ${DEFAULT-VALUE})")
  int runs;

  @Option(names = "--engine-kills", defaultValue = "3")
  int engineKills;

  @Option(names = "--dispatcher-kills", defaultValue = "3")
  int dispatcherKills;

  @Option(names = "--broker-restarts", defaultValue = "1")
  int brokerRestarts;

  @Option(names = "--redis-restarts", defaultValue = "1")
  int redisRestarts;

  @Option(
      names = "--broker-outage",
      defaultValue = "20",
      paramLabel = "SECONDS",
      description =
          "How long a restarted broker stays down: longer than the dispatchers' 10 s delivery timeout, so their reports must be sent again (default: ${DEFAULT-VALUE})")
  int brokerOutageSeconds;

  @Option(
      names = "--kcat-share",
      defaultValue = "10",
      paramLabel = "PERCENT",
      description =
          "Share of runs whose job two reports itself, and which get PAUSE and RESUME, with kcat's default partitioner (needs kcat; default: ${DEFAULT-VALUE})")
  int kcatShare;

  @Option(
      names = "--start-failures",
      defaultValue = "5",
      paramLabel = "PERCENT",
      description =
          "Share of attempts whose first runtime start fails, as a refusing API server would (default: ${DEFAULT-VALUE})")
  int startFailurePercent;

  @Option(
      names = "--grace",
      defaultValue = "120",
      description = "Seconds without progress before the remaining runs count as stuck")
  int graceSeconds;

  @Option(
      names = "--redis-cluster",
      description =
          "Run on a Redis Cluster (3 masters, a replica each) with 3 engines over 12 partitions; faults: --master-kills, --engine-kills, one engine added and removed, --dispatcher-kills, --broker-restarts")
  boolean redisCluster;

  @Option(
      names = "--master-kills",
      defaultValue = "1",
      description =
          "With --redis-cluster: Redis masters to kill -9, each a different shard (default: ${DEFAULT-VALUE}, at most 3)")
  int masterKills;

  @Option(
      names = "--work",
      description = "Directory for logs, the ledger and data (default: a new temporary one)")
  Path work;

  private PrintWriter out;
  private final List<Long> heapSamplesKb = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    if (runs < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--runs must be at least 1");
    }
    if (masterKills < 0 || masterKills > 3) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--master-kills must be between 0 and 3");
    }
    Path dir =
        work != null ? Files.createDirectories(work) : Files.createTempDirectory("baton-chaos-");
    Path ledger = dir.resolve("ledger.txt");
    Files.deleteIfExists(ledger);
    Files.createFile(ledger);
    long t0 = System.nanoTime();
    try (ChaosCluster cluster = new ChaosCluster(dir, startFailurePercent)) {
      say("work directory %s", dir);
      if (redisCluster) {
        cluster.replicaAcks = true;
        cluster.startRedisCluster();
      } else {
        cluster.startRedis();
      }
      cluster.startBroker();
      Topics topics = Topics.defaults();
      TopicAdmin.ensureTopics(
          cluster.bootstrap(), topics, redisCluster ? 12 : 4, (short) 1, Map.of());
      TemplatePublisher.publish(
          cluster.bootstrap(),
          topics.templates(),
          List.of(
              new TemplatePublisher.Loaded(
                  Path.of("chaos.yaml"), Templates.parse("chaos.yaml", TEMPLATE), TEMPLATE)));
      cluster.startServices(redisCluster ? 3 : 2);
      for (ChildProcess e : cluster.engines) {
        ChaosFaults.awaitReady(e);
      }
      say(
          redisCluster
              ? "cluster up in %.1f s: broker (12 partitions), Redis Cluster (3 masters, 3 replicas), 3 engines (replica acks 1), 2 dispatchers"
              : "cluster up in %.1f s: broker, redis (AOF), 2 engines, 2 dispatchers",
          seconds(t0));
      long started = System.nanoTime();
      if (kcatShare > 0 && !KcatTraffic.available()) {
        say("kcat is not on PATH: no records are sent with its partitioner (--kcat-share 0)");
        kcatShare = 0;
      }
      List<String> kcatRuns = publish(cluster, topics, ledger, KcatTraffic.writeReporter(dir));
      kcat = new KcatTraffic(cluster.bootstrap(), topics.commands(), dir, kcatRuns);
      faults = new ChaosFaults(redisCluster, brokerOutageSeconds, line -> say("%s", line));
      Outcome outcome;
      try {
        outcome =
            follow(
                cluster,
                topics,
                ChaosFaults.plan(
                    engineKills,
                    dispatcherKills,
                    brokerRestarts,
                    redisRestarts,
                    masterKills,
                    redisCluster));
      } finally {
        kcat.close();
      }
      double took = seconds(started);
      return report(cluster, topics, ledger, outcome, took);
    }
  }

  private KcatTraffic kcat;
  private ChaosFaults faults;

  /** Whether run {@code i} is of the kcat share. */
  private boolean kcatRun(int i) {
    return Math.floorMod(i * 7919, 100) < kcatShare;
  }

  /** Publishes the triggers; returns the runs of the kcat share. */
  private List<String> publish(ChaosCluster cluster, Topics topics, Path ledger, Path reporter) {
    List<String> kcatRuns = new ArrayList<>();
    Properties p = new Properties();
    p.put("bootstrap.servers", cluster.bootstrap());
    p.put("acks", "all");
    p.put("linger.ms", 5);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < runs; i++) {
        String runId = "chaos-" + i;
        // One run in five has a job that runs 3 s: some end while the broker is away, and their
        // reports must wait for it.
        String extra = i % 5 == 3 ? ",\"linger\":\"3\"" : "";
        if (kcatRun(i)) {
          kcatRuns.add(runId);
          extra = ",\"kcat\":\"" + cluster.bootstrap() + "\",\"reporter\":\"" + reporter + "\"";
        }
        var unused =
            producer.send(
                new ProducerRecord<>(
                    topics.triggers(),
                    runId,
                    "{\"runId\":\""
                        + runId
                        + "\",\"template\":\"chaos\",\"params\":{\"ledger\":\""
                        + ledger
                        + "\""
                        + extra
                        + "}}"));
      }
    }
    say("%d triggers published (%d of them with kcat traffic)", runs, kcatRuns.size());
    return kcatRuns;
  }

  record Outcome(Set<String> succeeded, Set<String> failed, int faultsDone) {}

  private Outcome follow(ChaosCluster cluster, Topics topics, List<ChaosFaults.Fault> plan)
      throws Exception {
    Set<String> started = new HashSet<>();
    Set<String> succeeded = new HashSet<>();
    Set<String> failed = new HashSet<>();
    int next = 0;
    long lastProgress = System.nanoTime();
    int lastDone = 0;
    long lastPrint = 0;
    try (KafkaConsumer<String, byte[]> consumer = ChaosProbes.consumer(cluster.bootstrap())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(topics.events(), Duration.ofSeconds(30))
          .forEach(i -> partitions.add(new TopicPartition(topics.events(), i.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (succeeded.size() + failed.size() < runs) {
        ChaosProbes.readEnds(consumer, started, succeeded, failed);
        int done = succeeded.size() + failed.size();
        if (done > lastDone) {
          lastDone = done;
          lastProgress = System.nanoTime();
        } else if (seconds(lastProgress) > graceSeconds) {
          say("no progress for %d s: stopping with %d of %d runs ended", graceSeconds, done, runs);
          break;
        }
        if (kcatShare > 0) {
          kcat.tick(2, Set.copyOf(started), ChaosProbes.ended(succeeded, failed));
        }
        if (System.nanoTime() - lastPrint > TimeUnit.SECONDS.toNanos(10)) {
          cluster.engines.forEach(
              e -> ChaosProbes.heapUsedKb(e.pid()).ifPresent(heapSamplesKb::add));
          say("%d of %d runs ended", done, runs);
          lastPrint = System.nanoTime();
        }
        while (next < plan.size() && done >= plan.get(next).at() * runs) {
          String kind = plan.get(next).kind();
          faults.inject(kind, cluster);
          say("%s at %d of %d runs ended", kind, done, runs);
          next++;
        }
      }
    }
    return new Outcome(succeeded, failed, next);
  }

  private int report(ChaosCluster cluster, Topics topics, Path ledger, Outcome o, double took)
      throws Exception {
    Ledger l = Ledger.read(ledger, o.succeeded());
    long dlq = ChaosProbes.countRecords(cluster.bootstrap(), topics.dlq());
    int stuck = runs - o.succeeded().size() - o.failed().size();
    say("");
    say("runs started            %d", runs);
    say("succeeded               %d", o.succeeded().size());
    say("failed                  %d", o.failed().size());
    say("stuck                   %d", stuck);
    say(
        "job executions          %d (attempts retried after a fault: %d)",
        l.executions(), l.executions() - 3L * o.succeeded().size());
    say("executed twice          %d", l.twice());
    say("succeeded without a job %d", l.missing());
    say("dead letters            %d", dlq);
    if (redisCluster) {
      say(
          "faults injected         %d (Redis master kills %d, engine kills %d, engines added 1 and removed 1, dispatcher kills %d, broker restarts %d)",
          o.faultsDone(), masterKills, engineKills, dispatcherKills, brokerRestarts);
    } else {
      say(
          "faults injected         %d (engine kills %d, dispatcher kills %d, broker restarts %d, redis restarts %d)",
          o.faultsDone(), engineKills, dispatcherKills, brokerRestarts, redisRestarts);
    }
    say(
        "runtime starts refused  %d (%d%% of attempts refused once; each started on redelivery)",
        ChaosProbes.countLines(cluster.work, FlakyStartDispatcher.MARK), startFailurePercent);
    say(
        "kcat traffic            %d PAUSE/RESUME pairs (%d RESUMEs sent again), job two of %d runs"
            + " reporting itself; broker outage %d s (dispatcher delivery timeout %d s)",
        kcat.pairs.get(),
        kcat.failures.get(),
        (int) IntStream.range(0, runs).filter(this::kcatRun).count(),
        brokerOutageSeconds,
        ChaosCluster.DISPATCHER_DELIVERY_TIMEOUT_MS / 1000);
    say(
        "reports sent again      %d (a send failed, Kafka away past the delivery timeout)",
        ChaosProbes.countLines(cluster.work, "not written ("));
    say("time                    %.1f s (%.0f runs/s)", took, o.succeeded().size() / took);
    sayHeap();
    boolean ok =
        o.succeeded().size() == runs
            && stuck == 0
            && l.twice() == 0
            && l.missing() == 0
            && o.failed().isEmpty();
    say(
        ok
            ? "OK: every run succeeded once, no job attempt ran twice"
            : "NOT OK: see above; logs in " + cluster.work);
    return ok ? 0 : 1;
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private void sayHeap() {
    if (heapSamplesKb.isEmpty()) {
      return;
    }
    {
      int n = heapSamplesKb.size();
      say(
          "engine heap used        %d MiB in the first samples, %d MiB in the last, %d MiB at most (%d samples, -Xmx384m)",
          heapSamplesKb.subList(0, Math.min(4, n)).stream()
                  .mapToLong(Long::longValue)
                  .max()
                  .orElse(0)
              / 1024,
          heapSamplesKb.subList(Math.max(0, n - 4), n).stream()
                  .mapToLong(Long::longValue)
                  .max()
                  .orElse(0)
              / 1024,
          heapSamplesKb.stream().mapToLong(Long::longValue).max().orElse(0) / 1024,
          n);
    }
  }

  private void say(String format, Object... args) {
    out.printf(format + "%n", args);
    out.flush();
  }
}
