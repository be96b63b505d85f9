package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.state.JobSlots;
import dev.baton.engine.tenants.Tenancy;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job slots shared between tenants, over a real broker, Redis and processes: 4 slots; tenant {@code
 * a} queues 2,000 runs, then tenant {@code b} starts 20. Every job writes when it started as an
 * output, so how many of each tenant's jobs ran at once is read from the run events (a job's start
 * output and its JOB_SUCCEEDED time), never from sleeps.
 */
class FairShareIT {
  static BatonHarness baton;
  @TempDir static Path work;
  static Path tenantsFile;
  static final Duration LONG = Duration.ofMinutes(3);

  @BeforeAll
  static void start() throws Exception {
    baton = new BatonHarness("fair", work, null, 4);
    baton.apply(
        "work.yaml",
        """
        name: work
        version: 1
        params: {team: {required: true}}
        tenant: "${params.team}"
        jobs:
          - name: step
            command: [sh, -c, 'echo "started=$(date +%s%3N)" >> "$BATON_OUTPUTS"; sleep 0.3']
            outputs: [started]
        """);
    tenantsFile = work.resolve("tenants.yaml");
    Files.writeString(tenantsFile, "tenants:\n  a: {weight: 1}\n  b: {weight: 1}\n");
    baton.tenancy = Tenancy.of(4, tenantsFile);
    baton.restartEngine();
  }

  @AfterAll
  static void stop() {
    baton.close();
  }

  /** One job's run: [start, end] in epoch ms, from its events. */
  record Interval(long start, long end) {}

  static List<Interval> jobs(String runPrefix, int count) {
    List<Interval> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      for (RunEvent e : baton.eventsOf(runPrefix + i)) {
        if (e.getType() == RunEventType.JOB_SUCCEEDED && "step".equals(e.getJob())) {
          out.add(
              new Interval(
                  Long.parseLong(e.getOutputs().get("started")), e.getOccurredAt().toEpochMilli()));
        }
      }
    }
    return out;
  }

  /** The mean number of {@code jobs} running between {@code from} and {@code to}. */
  static double meanRunning(List<Interval> jobs, long from, long to) {
    long busy = 0;
    for (Interval j : jobs) {
      busy += Math.max(0, Math.min(j.end(), to) - Math.max(j.start(), from));
    }
    return (double) busy / (to - from);
  }

  private static void startRuns(String prefix, String team, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      baton.trigger(prefix + i, "work", java.util.Map.of("team", team));
    }
  }

  /**
   * B's runs, started while A's backlog waits: each B run's job ends within the bound after the run
   * started, and while both have work each tenant holds slots in proportion to its weight.
   */
  private static double[] shareWhileBothWork(String bPrefix) throws Exception {
    startRuns(bPrefix, "b", 20);
    await()
        .atMost(LONG)
        .until(
            () ->
                IntStream.range(0, 20)
                    .allMatch(
                        i -> baton.count(bPrefix + i, RunEventType.RUN_SUCCEEDED, null) == 1));
    List<Interval> b = jobs(bPrefix, 20);
    assertEquals(20, b.size());
    for (int i = 0; i < 20; i++) {
      long started =
          baton.first(bPrefix + i, RunEventType.RUN_STARTED, null).getOccurredAt().toEpochMilli();
      long ended =
          baton.first(bPrefix + i, RunEventType.RUN_SUCCEEDED, null).getOccurredAt().toEpochMilli();
      assertTrue(
          ended - started < 30_000, // in line behind a's backlog: ~150 s
          bPrefix + i + " took " + (ended - started) + " ms behind 2,000 queued runs of a");
    }
    long firstRun =
        IntStream.range(0, 20)
            .mapToLong(
                i ->
                    baton
                        .first(bPrefix + i, RunEventType.RUN_STARTED, null)
                        .getOccurredAt()
                        .toEpochMilli())
            .min()
            .orElseThrow();
    long from = b.stream().mapToLong(Interval::start).min().orElseThrow();
    // A slot frees every 0.3 s / 4 on average, and b, running nothing, is first in line for it;
    // in line behind a's backlog it would wait ~150 s. The bound leaves room for a busy machine.
    assertTrue(
        from - firstRun < 10_000,
        "b's first job started " + (from - firstRun) + " ms after its first run did");
    long to = b.stream().mapToLong(Interval::end).max().orElseThrow();
    List<Interval> a = jobs("fair-a-", 2000);
    double meanA = meanRunning(a, from, to);
    double meanB = meanRunning(b, from, to);
    assertTrue(meanA + meanB <= 4.2, "at most 4 slots: " + meanA + " + " + meanB);
    long longest =
        IntStream.range(0, 20)
            .mapToLong(
                i ->
                    baton
                            .first(bPrefix + i, RunEventType.RUN_SUCCEEDED, null)
                            .getOccurredAt()
                            .toEpochMilli()
                        - baton
                            .first(bPrefix + i, RunEventType.RUN_STARTED, null)
                            .getOccurredAt()
                            .toEpochMilli())
            .max()
            .orElseThrow();
    System.out.printf(
        "fair share %s: a %.2f, b %.2f slots on average over %d ms; b's longest run %d ms%n",
        bPrefix, meanA, meanB, to - from, longest);
    return new double[] {meanA, meanB};
  }

  @Test
  void aQuietTenantGetsItsShareBehindANoisyOnesBacklogAndWeightsChangeWithoutARestart()
      throws Exception {
    startRuns("fair-a-", "a", 2000);
    JobSlots slots = baton.engine.runs().slots();
    await().atMost(LONG).until(() -> slots.usage().queued().getOrDefault("a", 0) >= 500);

    double[] even = shareWhileBothWork("fair-b1-");
    double ratio = even[0] / even[1];
    assertTrue(ratio > 0.6 && ratio < 1.7, "weights 1:1, a:b = " + even[0] + ":" + even[1]);

    // 3:1, read from the file as it changes: no restart
    Files.writeString(tenantsFile, "tenants:\n  a: {weight: 3}\n  b: {weight: 1}\n");
    await().atMost(LONG).until(() -> baton.engineConfig().tenancy().share("a").weight() == 3);
    double[] weighted = shareWhileBothWork("fair-b2-");
    double ratio3 = weighted[0] / weighted[1];
    assertTrue(
        ratio3 > 2.0 && ratio3 < 4.6, "weights 3:1, a:b = " + weighted[0] + ":" + weighted[1]);
    assertTrue(slots.usage().queued().getOrDefault("a", 0) > 0, "a still had work throughout");

    java.io.StringWriter out = new java.io.StringWriter();
    int exit =
        dev.baton.cli.BatonCli.execute(
            new String[] {
              "tenants",
              "--redis",
              SharedBroker.redisUrl(),
              "--application-id",
              baton.engineConfig().applicationId(),
              "--capacity",
              "4",
              "--tenants-file",
              tenantsFile.toString()
            },
            new java.io.PrintWriter(out, true),
            new java.io.PrintWriter(out, true));
    assertEquals(0, exit, out.toString());
    // a's runs all run (no run quota); its jobs hold 0-4 slots and queue for more
    assertTrue(
        out.toString().matches("(?s).*\\na +\\d+ +0 +- +[0-4] +[1-9]\\d* +3 +- +\\d+% +\\d+%\\n.*"),
        out.toString());
    var api = baton.startApi();
    try {
      String body = BatonHarness.httpGet(api.port(), "/api/tenants");
      assertTrue(body.contains("\"capacity\":4"), body);
      assertTrue(body.contains("\"tenant\":\"a\""), body);
      assertTrue(body.contains("\"weight\":3"), body);
      // over the last minute both held slots, a (weight 3, and alone once b was done) the most
      var tenants = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).get("tenants");
      double aLastMinute = 0;
      double bLastMinute = 0;
      for (var t : tenants) {
        if ("a".equals(t.get("tenant").asText())) {
          aLastMinute = t.get("shareLastMinute").asDouble();
        } else if ("b".equals(t.get("tenant").asText())) {
          bLastMinute = t.get("shareLastMinute").asDouble();
        }
      }
      assertTrue(aLastMinute > 0.5 && bLastMinute > 0.02, body);
      // the runs page shows the same in its tenants panel
      String dom =
          UiBrowserIT.chromium(
              work.resolve("profile-tenants"),
              "--dump-dom",
              "http://127.0.0.1:" + api.port() + "/#/");
      assertTrue(dom.contains("<table id=\"tenants\""), dom);
      assertTrue(
          dom.matches(
              "(?s).*<tr><td>a</td><td>\\d+</td><td>0</td><td>-</td><td>[0-4]</td><td>[1-9]\\d*</td><td>3</td>.*"),
          dom);
    } finally {
      api.close();
    }
  }

  /**
   * Within a tenant, runs with a higher priority get slots first: 3 urgent runs started behind 40
   * queued ones of the same tenant start before most of those.
   */
  @Test
  void withinATenantAHigherPriorityGetsSlotsFirst() throws Exception {
    JobSlots slots = baton.engine.runs().slots();
    startRuns("fair-c-low-", "c", 40);
    await().atMost(LONG).until(() -> slots.usage().queued().getOrDefault("c", 0) >= 10);
    for (int i = 0; i < 3; i++) {
      baton.send(
          baton.topics.triggers(),
          "fair-c-high-" + i,
          "{\"runId\":\"fair-c-high-"
              + i
              + "\",\"template\":\"work\",\"priority\":10,\"params\":{\"team\":\"c\"}}");
    }
    await()
        .atMost(LONG)
        .until(
            () ->
                IntStream.range(0, 3)
                    .allMatch(
                        i ->
                            baton.count("fair-c-high-" + i, RunEventType.RUN_SUCCEEDED, null)
                                == 1));
    long lastHigh = jobs("fair-c-high-", 3).stream().mapToLong(Interval::start).max().orElseThrow();
    await().atMost(LONG).until(() -> jobs("fair-c-low-", 40).size() == 40);
    long lowAfter = jobs("fair-c-low-", 40).stream().filter(j -> j.start() > lastHigh).count();
    assertTrue(lowAfter >= 5, lowAfter + " of 40 earlier runs started after the urgent ones");
  }
}
