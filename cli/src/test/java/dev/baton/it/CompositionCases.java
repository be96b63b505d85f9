package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.BatonCli;
import dev.baton.engine.decide.JobStatus;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.RunEventType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Sub-workflows and cached jobs over a real broker, Redis and processes: {@link CompositionIT} on
 * one Redis server, {@link CompositionClusterIT} on a Redis Cluster.
 */
abstract class CompositionCases {
  static BatonHarness baton;
  static Path work;
  static String redisUrl;
  static final Duration LONG = Duration.ofMinutes(3);

  /** Run ids begin with it: run keys in a shared Redis are not per engine. */
  static String P;

  static void startBaton(String prefix, String redis) throws Exception {
    P = prefix + "-";
    redisUrl = redis;
    work = Files.createTempDirectory("baton-" + prefix);
    baton = new BatonHarness(prefix, work, null, 16, redis);
    baton.apply(
        "region-report.yaml",
        """
        name: region-report
        version: 1
        params: {region: {required: true}, gate: {default: ""}}
        outputs: {total: "${jobs.count.outputs.n}"}
        jobs:
          - name: count
            command: [sh, -c, 'while [ -n "$gate" ] && [ ! -f "$gate" ]; do sleep 0.05; done; echo "n=r$region" >> "$BATON_OUTPUTS"']
            outputs: [n]
        """);
    baton.apply(
        "all-regions.yaml",
        """
        name: all-regions
        version: 1
        params: {count: {default: "100"}, parallel: {default: "20"}, gate: {default: ""}}
        jobs:
          - name: list
            command: [sh, -c, 'printf "{\\"items\\": [%s]}" "$(seq -s, 0 $((count - 1)))" > "$BATON_OUTPUTS"']
            outputs: [items]
          - name: per-region
            forEach: jobs.list.outputs.items
            maxParallel: 20
            run: {template: region-report, params: {region: "${item}", gate: "${params.gate}"}}
          - name: sum
            command: [sh, -c, 'echo "all=$TOTALS" >> "$BATON_OUTPUTS"']
            env: {TOTALS: "${jobs.per-region.outputs.total}"}
            outputs: [all]
        """);
    baton.apply(
        "cached-load.yaml",
        """
        name: cached-load
        version: 1
        params: {day: {required: true}, counter: {required: true}, pause: {default: "0"}}
        jobs:
          - name: load
            cache: {key: "load-${params.day}", ttl: 1h}
            command: [sh, -c, 'echo ran >> "$counter"; sleep "$pause"; echo "rows=$day-rows" >> "$BATON_OUTPUTS"']
            outputs: [rows]
          - name: report
            command: [sh, -c, 'echo "got=$ROWS" >> "$BATON_OUTPUTS"']
            env: {ROWS: "${jobs.load.outputs.rows}"}
            outputs: [got]
        """);
  }

  @AfterAll
  static void stopBaton() {
    baton.close();
  }

  @Test
  void aParentGetsEveryChildsOutputInItemOrderAndAnEngineRestartChangesNothing() throws Exception {
    baton.trigger(P + "fan-100", "all-regions", Map.of());
    await().atMost(LONG).until(() -> instances(P + "fan-100", RunEventType.JOB_SUCCEEDED) >= 30);
    baton.restartEngine();
    RunState run = awaitEnd(P + "fan-100");
    assertEquals(RunStatus.SUCCEEDED, run.status(), run.detail());
    String expected =
        IntStream.range(0, 100)
            .mapToObj(i -> "\"r" + i + "\"")
            .reduce((a, b) -> a + "," + b)
            .map(s -> "[" + s + "]")
            .orElseThrow();
    assertEquals(expected, run.job("per-region").outputs().get("total"), "in item order");
    assertEquals(expected, run.job("sum").outputs().get("all"));
    for (int i = 0; i < 100; i++) {
      String child = P + "fan-100:per-region." + i + ".1";
      RunState c = baton.engine.runs().find(child).orElseThrow(() -> new AssertionError(child));
      assertEquals(RunStatus.SUCCEEDED, c.status());
      assertEquals(P + "fan-100", c.parent().runId());
      assertEquals(Integer.valueOf(i), c.parent().item());
      assertEquals(1, baton.count(child, RunEventType.JOB_SUCCEEDED, "count"), child + " ran once");
    }
    assertEquals(100, instances(P + "fan-100", RunEventType.JOB_SUCCEEDED));
  }

  @Test
  void cancellingTheParentCancelsItsRunningChildren() throws Exception {
    Path gate = work.resolve("never-" + System.nanoTime());
    var api = baton.startApi();
    try {
      baton.trigger(
          P + "fan-cancel", "all-regions", Map.of("count", "10", "gate", gate.toString()));
      await()
          .atMost(LONG)
          .until(() -> instances(P + "fan-cancel", RunEventType.JOB_DISPATCHED) == 10);
      List<String> children =
          IntStream.range(0, 10).mapToObj(i -> P + "fan-cancel:per-region." + i + ".1").toList();
      await()
          .atMost(LONG)
          .until(
              () ->
                  children.stream()
                      .allMatch(c -> baton.count(c, RunEventType.JOB_DISPATCHED, "count") == 1));
      String view = get(api.port(), "/api/runs/" + P + "fan-cancel");
      assertTrue(view.contains("\"children\""), view);
      assertTrue(view.contains("\"runId\":\"" + P + "fan-cancel:per-region.3.1\""), view);
      assertTrue(
          get(api.port(), "/api/runs/" + P + "fan-cancel:per-region.3.1")
              .contains("\"parent\":{\"runId\":\"" + P + "fan-cancel\""));
      StringWriter status = new StringWriter();
      statusOf(P + "fan-cancel:per-region.3.1", status);
      assertTrue(
          status
              .toString()
              .contains("parent    " + P + "fan-cancel (job per-region[3], attempt 1; level 1)"),
          status.toString());

      assertEquals(0, baton.cli(new StringWriter(), "cancel", P + "fan-cancel"));
      assertEquals(RunStatus.CANCELLED, awaitEnd(P + "fan-cancel").status());
      for (String c : children) {
        RunState child = awaitEnd(c);
        assertEquals(RunStatus.CANCELLED, child.status(), c);
        assertTrue(
            child.detail().contains("its parent run " + P + "fan-cancel stopped job per-region"),
            child.detail());
        assertEquals(JobStatus.CANCELLED, child.job("count").status());
      }
    } finally {
      api.close();
    }
  }

  @Test
  void aCachedJobRunsOnceForTwoRunsWithOneKeyAndAgainAfterTheCacheIsCleared() throws Exception {
    Path counter = work.resolve("load-runs");
    Map<String, String> day1 = Map.of("day", "d1", "counter", counter.toString());
    baton.trigger(P + "cache-1", "cached-load", day1);
    assertEquals(RunStatus.SUCCEEDED, awaitEnd(P + "cache-1").status());
    baton.trigger(P + "cache-2", "cached-load", day1);
    RunState second = awaitEnd(P + "cache-2");
    assertEquals(RunStatus.SUCCEEDED, second.status());
    assertEquals(1, executions(counter), "the second run reused the first one's result");
    assertTrue(second.job("load").cached());
    assertEquals("d1-rows", second.job("load").outputs().get("rows"));
    assertEquals("d1-rows", second.job("report").outputs().get("got"));
    var cached = baton.first(P + "cache-2", RunEventType.JOB_CACHED, "load");
    assertTrue(cached.getDetail().contains(P + "cache-1/load/1"), cached.getDetail());
    assertEquals(0, baton.count(P + "cache-2", RunEventType.JOB_DISPATCHED, "load"));

    StringWriter out = new StringWriter();
    assertEquals(0, cacheCli(out, "clear", "cached-load", "load", "load-d1"));
    assertTrue(
        out.toString().contains("cleared 1 kept result of cached-load/load"), out.toString());
    baton.trigger(P + "cache-3", "cached-load", day1);
    RunState third = awaitEnd(P + "cache-3");
    assertEquals(RunStatus.SUCCEEDED, third.status());
    assertEquals(2, executions(counter), "ran again after the clear");
    assertTrue(!third.job("load").cached());
  }

  /**
   * Two runs reach a cached job with one key before either has a result: both run it (neither waits
   * for the other), the first result stored is kept, and a later run reuses it.
   */
  @Test
  void twoRunsWithOneKeyAtOnceBothRunTheJobAndTheFirstResultIsKept() throws Exception {
    Path counter = work.resolve("race-runs");
    // Both look up at once, before either has stored; a ends about 2 s before b, so a's result is
    // the one stored (a finish within the same few milliseconds would leave the order to chance).
    String c = counter.toString();
    baton.trigger(P + "race-a", "cached-load", Map.of("day", "d2", "counter", c, "pause", "1"));
    baton.trigger(P + "race-b", "cached-load", Map.of("day", "d2", "counter", c, "pause", "3"));
    assertEquals(RunStatus.SUCCEEDED, awaitEnd(P + "race-a").status());
    assertEquals(RunStatus.SUCCEEDED, awaitEnd(P + "race-b").status());
    assertEquals(2, executions(counter), "both looked up before either stored: both ran");
    baton.trigger(P + "race-c", "cached-load", Map.of("day", "d2", "counter", c));
    RunState later = awaitEnd(P + "race-c");
    assertTrue(later.job("load").cached());
    assertEquals(2, executions(counter));
    long endA =
        baton
            .first(P + "race-a", RunEventType.JOB_SUCCEEDED, "load")
            .getOccurredAt()
            .toEpochMilli();
    long endB =
        baton
            .first(P + "race-b", RunEventType.JOB_SUCCEEDED, "load")
            .getOccurredAt()
            .toEpochMilli();
    assertTrue(endA < endB, "a's job ended first");
    String detail = baton.first(P + "race-c", RunEventType.JOB_CACHED, "load").getDetail();
    assertTrue(detail.contains(P + "race-a/load/1"), "the first to succeed is kept: " + detail);

    StringWriter out = new StringWriter();
    assertEquals(0, cacheCli(out, "clear", "cached-load"));
    assertTrue(
        out.toString().matches("(?s)cleared [1-9]\\d* kept results? of cached-load\\s*"),
        out.toString());
  }

  @Test
  void aTemplateThatRunsItselfStopsAtTheDepthLimitAndEveryLevelFails() throws Exception {
    // Applied without apply's check (as a template applied before its loop was closed would be).
    baton.apply(
        "recurse.yaml",
        """
        name: recurse
        version: 1
        jobs:
          - {name: again, run: {template: recurse}}
        """);
    baton.trigger(P + "deep", "recurse", Map.of());
    RunState top = awaitEnd(P + "deep");
    assertEquals(RunStatus.FAILED, top.status());
    String deepest = P + "deep" + ":again.1".repeat(8);
    RunState last = awaitEnd(deepest);
    assertEquals(8, last.depth());
    assertTrue(last.detail().contains("runs nest at most 8"), last.detail());
    assertTrue(baton.engine.runs().find(deepest + ":again.1").isEmpty(), "no ninth level");
    assertTrue(
        top.job("again").error().contains("child run " + P + "deep:again.1 FAILED"),
        top.job("again").error());
  }

  @Test
  void aChildThatCannotStartFailsItsParentsJobAtOnce() throws Exception {
    baton.apply(
        "orphan.yaml",
        """
        name: orphan
        version: 1
        jobs:
          - {name: sub, run: {template: never-applied}}
        """);
    baton.trigger(P + "orphan-1", "orphan", Map.of());
    RunState run = awaitEnd(P + "orphan-1");
    assertEquals(RunStatus.FAILED, run.status());
    assertTrue(
        run.job("sub")
            .error()
            .contains(
                "child run "
                    + P
                    + "orphan-1:sub.1 did not start: unknown template 'never-applied'"),
        run.job("sub").error());
  }

  @Test
  void aTriggerWithAForgedParentLinkIsDeadLetteredAndStartsNothing() throws Exception {
    baton.send(
        baton.topics.triggers(),
        P + "forged-child",
        "{\"runId\":\""
            + P
            + "forged-child\",\"template\":\"region-report\",\"params\":{\"region\":\"x\"},"
            + "\"parent\":{\"runId\":\""
            + P
            + "fan-100\",\"job\":\"per-region\",\"item\":0,\"attempt\":1,"
            + "\"depth\":1,\"token\":\"made-up\"}}");
    await()
        .atMost(LONG)
        .until(
            () ->
                baton.deadLetters.records().stream()
                    .anyMatch(
                        r ->
                            WaitsIT.reason(r)
                                .contains(
                                    "refused trigger of run '"
                                        + P
                                        + "forged-child': its parent link to"
                                        + " "
                                        + P
                                        + "fan-100/per-region[0]/1 has a wrong token")));
    assertTrue(baton.engine.runs().find(P + "forged-child").isEmpty());
  }

  @Test
  void applyRefusesARunOfATemplateTheStoreDoesNotHave() throws Exception {
    Path file = work.resolve("parent-of-nothing.yaml");
    Files.writeString(
        file,
        """
        name: parent-of-nothing
        version: 1
        jobs:
          - name: sub
            run: {template: no-such-template}
          - {name: use, command: [echo, "${jobs.sub.outputs.total}"]}
        """);
    StringWriter out = new StringWriter();
    assertEquals(1, baton.cli(out, "templates", "apply", file.toString()));
    assertTrue(
        out.toString()
            .contains(
                "parent-of-nothing.yaml:5: jobs[0].run.template: unknown template 'no-such-template'"),
        out.toString());
    Files.writeString(
        file,
        """
        name: parent-of-nothing
        version: 1
        jobs:
          - name: sub
            run: {template: region-report, params: {region: eu}}
          - {name: use, command: [echo, "${jobs.sub.outputs.sum}"]}
        """);
    out = new StringWriter();
    assertEquals(1, baton.cli(out, "templates", "apply", file.toString()));
    assertTrue(
        out.toString()
            .contains(
                "jobs[1].command[1]: template 'region-report', which job 'sub' runs, declares no output 'sum' (declared: total)"),
        out.toString());
  }

  /** Events of the instances of the parent's per-region job. */
  private static long instances(String runId, RunEventType type) {
    return baton.eventsOf(runId).stream()
        .filter(e -> e.getType() == type && "per-region".equals(e.getJob()) && e.getItem() != null)
        .count();
  }

  private static long executions(Path counter) throws Exception {
    return Files.exists(counter) ? Files.readAllLines(counter).size() : 0;
  }

  private static RunState awaitEnd(String runId) {
    await()
        .atMost(LONG)
        .until(() -> baton.engine.runs().find(runId).map(s -> s.status().isFinal()).orElse(false));
    return baton.engine.runs().find(runId).orElseThrow();
  }

  private static int cacheCli(StringWriter out, String... args) {
    String[] all =
        java.util.stream.Stream.concat(
                java.util.stream.Stream.concat(
                    java.util.stream.Stream.of("cache"), java.util.Arrays.stream(args)),
                java.util.stream.Stream.of(
                    "--redis", redisUrl, "--application-id", baton.engineConfig().applicationId()))
            .toArray(String[]::new);
    return BatonCli.execute(all, new PrintWriter(out, true), new PrintWriter(out, true));
  }

  private static void statusOf(String runId, StringWriter out) {
    BatonCli.execute(
        new String[] {"status", runId, "--redis", redisUrl},
        new PrintWriter(out, true),
        new PrintWriter(out, true));
  }

  private static String get(int port, String path) throws Exception {
    return BatonHarness.httpGet(port, path);
  }
}
