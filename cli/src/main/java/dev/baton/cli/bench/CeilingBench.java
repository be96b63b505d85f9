package dev.baton.cli.bench;

import dev.baton.engine.EngineConfig;
import dev.baton.engine.StreamsSettings;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.kafka.TopicAdmin;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Phase (a): a bare Kafka Streams pass-through with the engine's settings ({@link
 * CeilingTopology}), driven like the engine: what Kafka alone allows on this machine.
 */
final class CeilingBench {
  private CeilingBench() {}

  static BenchCmd.Row run(
      BenchCmd plan, String bootstrap, Path work, String mode, int runs, PrintWriter out)
      throws Exception {
    return run(plan, bootstrap, work, mode, runs, plan.commitInterval(mode), "", out);
  }

  /**
   * Exactly once, a commit as soon as the task's input is drained, however recent the last: the
   * floor of one transaction per step on this machine, beside the engine's commit rule.
   */
  static BenchCmd.Row committingWhenDrained(
      BenchCmd plan, String bootstrap, Path work, int runs, PrintWriter out) throws Exception {
    return run(
        plan,
        bootstrap,
        work,
        EngineConfig.EXACTLY_ONCE,
        runs,
        Duration.ZERO,
        ", commit when drained",
        out);
  }

  private static BenchCmd.Row run(
      BenchCmd plan,
      String bootstrap,
      Path work,
      String mode,
      int runs,
      Duration interval,
      String variant,
      PrintWriter out)
      throws Exception {
    out.printf("(a) ceiling%s, %s, %d in flight ...%n", variant, mode, runs);
    Topics topics =
        Topics.withPrefix(
            "bench-ceiling-"
                + mode.replace('_', '-')
                + "-"
                + runs
                + (variant.isEmpty() ? "" : "-drained"));
    TopicAdmin.ensureTopics(bootstrap, topics, plan.partitions, (short) 1, Map.of());
    Wire wire = Wire.json();
    Properties p = streamsProperties(plan, bootstrap, work, mode, runs, topics, interval);
    boolean exactlyOnce = mode.equals(EngineConfig.EXACTLY_ONCE);
    try (KafkaStreams streams =
        new KafkaStreams(
            CeilingTopology.build(
                topics.completions(), topics.dispatch(), wire, exactlyOnce ? interval : null),
            p)) {
      streams.start();
      awaitRunning(streams);
      try (LoadDriver driver =
          new LoadDriver(
              bootstrap,
              topics.dispatch(),
              topics.completions(),
              null,
              wire,
              plan.jobs,
              "ceiling",
              seed(topics, wire))) {
        LoadDriver.Result result =
            driver.closed(
                runs,
                Duration.ofSeconds(plan.warmup / 2),
                Duration.ofSeconds(plan.seconds / 2),
                Window.NONE);
        return new BenchCmd.Row(
            "(a) ceiling, " + runs + " in flight" + variant, mode, result, null);
      }
    }
  }

  /** The engine's streams settings, on the ceiling's own topics and state directory. */
  private static Properties streamsProperties(
      BenchCmd plan,
      String bootstrap,
      Path work,
      String mode,
      int runs,
      Topics topics,
      Duration interval) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, topics.completions() + "-app");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, mode);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Math.max(1, interval.toMillis()));
    if (mode.equals(EngineConfig.EXACTLY_ONCE)) {
      p.put(
          StreamsConfig.POLL_MS_CONFIG,
          Math.max(1, Math.min(100, 2 * interval.toMillis()))); // as the engine does
    }
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    p.put(StreamsConfig.STATE_DIR_CONFIG, work.resolve(topics.completions() + "-state").toString());
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
    p.putAll(StreamsSettings.producerDefaults(mode));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, plan.threads);
    return p;
  }

  /**
   * A run starts with a completion of its "start" job: the pass-through answers with a dispatch.
   */
  private static LoadDriver.Starter seed(Topics topics, Wire wire) {
    return runId ->
        new ProducerRecord<>(
            topics.completions(),
            runId,
            wire.encode(
                topics.completions(),
                JobCompletion.newBuilder()
                    .setRunId(runId)
                    .setJob("start")
                    .setAttempt(1)
                    .setStatus(CompletionStatus.SUCCEEDED)
                    .setOccurredAt(Instant.now())
                    .build()));
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
}
