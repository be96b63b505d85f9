package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.Engine;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.serde.RunIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Runs started by domain events (trigger rules) and by the clock (schedules), over a real broker
 * and Redis: {@link TriggerRulesIT} on one Redis server, {@link TriggerRulesClusterIT} on a Redis
 * Cluster. Each class's trigger router is a new consumer group that starts at the domain topics'
 * ends, so it sees only its own events.
 */
abstract class TriggerRulesCases {
  static BatonHarness baton;

  /** Not a static @TempDir: each subclass has its own. */
  static Path work;

  static void startBaton(String prefix, String redisUrl) throws Exception {
    work = java.nio.file.Files.createTempDirectory("baton-" + prefix);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing =
          List.of(
                  new NewTopic("orders.placed", 2, (short) 1),
                  new NewTopic("files.uploaded", 1, (short) 1))
              .stream()
              .filter(t -> !existing.contains(t.name()))
              .toList();
      admin.createTopics(missing).all().get();
    }
    baton = new BatonHarness(prefix, work, Path.of("../templates"), 4, redisUrl);
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> baton.engine.triggerRules().reading("orders.placed"));
  }

  @AfterAll
  static void stopBaton() throws Exception {
    baton.close();
    try (var files = java.nio.file.Files.walk(work)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  static List<RunEvent> started(String template) {
    return baton.events.records().stream()
        .map(r -> baton.wire.decode(r.value(), RunEvent.class))
        .filter(e -> e.getType() == RunEventType.RUN_STARTED && template.equals(e.getTemplate()))
        .toList();
  }

  static RunState runWithParam(String template, String param, String value) {
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                started(template).stream()
                    .anyMatch(
                        e ->
                            baton
                                .engine
                                .runs()
                                .find(e.getRunId())
                                .map(s -> value.equals(s.params().get(param)))
                                .orElse(false)));
    String runId =
        started(template).stream()
            .filter(
                e ->
                    baton
                        .engine
                        .runs()
                        .find(e.getRunId())
                        .map(s -> value.equals(s.params().get(param)))
                        .orElse(false))
            .findFirst()
            .orElseThrow()
            .getRunId();
    return baton.awaitEnd(runId);
  }

  static void consoleProduce(String topic, String... lines) throws Exception {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classpath,
                "org.apache.kafka.tools.ConsoleProducer",
                "--bootstrap-server",
                baton.bootstrap,
                "--topic",
                topic)
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), output);
    assertEquals(0, p.exitValue(), output);
  }

  @Test
  void domainEventFromTheConsoleProducerStartsARunWithMappedParams() throws Exception {
    consoleProduce(
        "orders.placed", "{\"id\": \"o-1001\", \"total\": 250.5, \"customer\": \"ada\"}");
    RunState run = runWithParam("order-placed", "orderId", "o-1001");
    assertEquals(RunStatus.SUCCEEDED, run.status());
    assertEquals("250.5", run.params().get("total"));
  }

  @Test
  void eventThatMatchesNoFilterStartsNothingAndTheSameEventTwiceStartsOneRun() throws Exception {
    long ignoredBefore = baton.engine.triggerRules().ignored.get();
    consoleProduce(
        "orders.placed",
        "{\"id\": \"o-small\", \"total\": 20}",
        "{\"id\": \"o-twice\", \"total\": 500}",
        "{\"id\": \"o-twice\", \"total\": 500}");
    RunState run = runWithParam("order-placed", "orderId", "o-twice");
    assertEquals(RunStatus.SUCCEEDED, run.status());
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> baton.engine.triggerRules().ignored.get() > ignoredBefore);
    await().atMost(BatonHarness.DEADLINE).until(() -> baton.engine.counters().duplicates() > 0);
    Set<String> params =
        started("order-placed").stream()
            .map(
                e ->
                    baton
                        .engine
                        .runs()
                        .find(e.getRunId())
                        .map(s -> s.params().get("orderId"))
                        .orElse("?"))
            .collect(Collectors.toSet());
    assertTrue(!params.contains("o-small"), params.toString());
    assertEquals(
        1,
        started("order-placed").stream()
            .filter(
                e ->
                    baton
                        .engine
                        .runs()
                        .find(e.getRunId())
                        .map(s -> "o-twice".equals(s.params().get("orderId")))
                        .orElse(false))
            .count());
  }

  @Test
  void mappingThatFailsSendsTheEventToTheDeadLetterTopic() throws Exception {
    baton.send("orders.placed", "bad-1", "{\"id\": \"o-bad\", \"total\": \"lots\"}");
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                baton.deadLetters.records().stream()
                    .anyMatch(
                        r ->
                            r.key() != null
                                && new String(r.key(), StandardCharsets.UTF_8).equals("bad-1")));
    var dead =
        baton.deadLetters.records().stream()
            .filter(
                r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals("bad-1"))
            .findFirst()
            .orElseThrow();
    String reason =
        new String(
            dead.headers().lastHeader(dev.baton.serde.DeadLetters.REASON).value(),
            StandardCharsets.UTF_8);
    assertTrue(reason.contains("trigger rule of template 'order-placed' on orders.placed"), reason);
  }

  @Test
  void eventWhoseMappingOrKeyIsNullIsDeadLetteredEachTimeAndStartsNothing() throws Exception {
    long deadBefore = baton.engine.triggerRules().deadLettered.get();
    baton.send("orders.placed", "null-1", "{\"id\": null, \"total\": 500}");
    baton.send("orders.placed", "null-2", "{\"id\": null, \"total\": 700}");
    baton.send("orders.placed", "null-3", "{\"id\": \"o-filter\", \"total\": null}");
    baton.send("orders.placed", "null-4", "{\"id\": \"\", \"total\": 900}");
    baton.send("orders.placed", "null-5", "{\"id\": \"o-after-nulls\", \"total\": 300}");
    assertEquals(
        RunStatus.SUCCEEDED, runWithParam("order-placed", "orderId", "o-after-nulls").status());
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> baton.engine.triggerRules().deadLettered.get() >= deadBefore + 4);
    Map<String, String> reasons =
        baton.deadLetters.records().stream()
            .filter(
                r ->
                    r.key() != null
                        && new String(r.key(), StandardCharsets.UTF_8).startsWith("null-"))
            .collect(
                Collectors.toMap(
                    r -> new String(r.key(), StandardCharsets.UTF_8),
                    r ->
                        new String(
                            r.headers().lastHeader(dev.baton.serde.DeadLetters.REASON).value(),
                            StandardCharsets.UTF_8)));
    String rule = "trigger rule of template 'order-placed' on orders.placed: ";
    assertEquals(rule + "'event.id' gave null; a value is needed", reasons.get("null-1"));
    assertEquals(
        rule + "'event.id' gave null; a value is needed",
        reasons.get("null-2"),
        "a second null id is no duplicate of the first");
    assertTrue(
        reasons.get("null-3").startsWith(rule + "'event.total > 100': "), reasons.get("null-3"));
    assertEquals(rule + "key 'event.id' gave an empty string", reasons.get("null-4"));
    assertEquals(4, reasons.size(), reasons.toString());
    assertTrue(
        started("order-placed").stream()
            .noneMatch(
                e ->
                    baton
                        .engine
                        .runs()
                        .find(e.getRunId())
                        .map(
                            s ->
                                s.params().get("orderId").contains("Unknown")
                                    || s.params().get("orderId").isEmpty())
                        .orElse(false)));
  }

  @Test
  void templateAppliedWhileTheEngineRunsReceivesItsTopicsEvents() throws Exception {
    baton.apply(
        "on-upload.yaml",
        """
        name: on-upload
        version: 1
        params:
          file: {required: true}
        on:
          - topic: files.uploaded
            params: {file: "event.path"}
        jobs:
          - {name: scan, command: [echo, "${params.file}"]}
        """);
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> baton.engine.triggerRules().reading("files.uploaded"));
    baton.send("files.uploaded", null, "{\"path\": \"/in/report.pdf\"}");
    assertEquals(RunStatus.SUCCEEDED, runWithParam("on-upload", "file", "/in/report.pdf").status());
  }

  /** The most runs of {@code template} that were going at one time, from their events. */
  static int mostAtOnce(String template) {
    java.util.Set<String> runs =
        started(template).stream().map(RunEvent::getRunId).collect(Collectors.toSet());
    List<long[]> moments = new java.util.ArrayList<>();
    for (var r : baton.events.records()) {
      RunEvent e = baton.wire.decode(r.value(), RunEvent.class);
      if (runs.contains(e.getRunId())) {
        if (e.getType() == RunEventType.RUN_STARTED) {
          moments.add(new long[] {e.getOccurredAt().toEpochMilli(), 1});
        } else if (e.getType() == RunEventType.RUN_SUCCEEDED
            || e.getType() == RunEventType.RUN_FAILED) {
          moments.add(new long[] {e.getOccurredAt().toEpochMilli(), -1});
        }
      }
    }
    moments.sort(
        java.util.Comparator.<long[]>comparingLong(m -> m[0]).thenComparingLong(m -> m[1]));
    int going = 0;
    int most = 0;
    for (long[] m : moments) {
      going += (int) m[1];
      most = Math.max(most, going);
    }
    return most;
  }

  @Test
  void backfillStartsOneRunPerTickAtMostMaxParallelAtOnceAndNoneWhenRepeated() throws Exception {
    baton.apply(
        "nightly.yaml",
        """
        name: nightly
        version: 1
        schedule: {cron: "0 3 * * *"}
        jobs:
          - {name: load, command: [sh, -c, 'sleep 0.2']}
        """);
    java.io.StringWriter out = new java.io.StringWriter();
    String[] backfill = {
      "backfill",
      "nightly",
      "--from",
      "2026-11-01",
      "--to",
      "2026-11-30",
      "--max-parallel",
      "3",
      "--redis",
      baton.redisUrl
    };
    assertEquals(0, baton.cli(out, backfill), out.toString());
    assertTrue(
        out.toString()
            .contains("backfill done: 30 started (30 succeeded, 0 did not), 0 already run"),
        out.toString());
    await().atMost(BatonHarness.DEADLINE).until(() -> started("nightly").size() == 30);
    java.util.Set<String> expected = new java.util.HashSet<>();
    for (int day = 1; day <= 30; day++) {
      long tick =
          java.time.Instant.parse(String.format("2026-11-%02dT03:00:00Z", day)).toEpochMilli();
      expected.add(RunIds.forIdempotencyKey("schedule/nightly/" + tick));
    }
    assertEquals(
        expected,
        started("nightly").stream().map(RunEvent::getRunId).collect(Collectors.toSet()),
        "one run per tick, with the run id its schedule would have given it");
    int most = mostAtOnce("nightly");
    assertTrue(most <= 3 && most >= 2, "at most 3 runs at once, and more than one: " + most);

    java.io.StringWriter again = new java.io.StringWriter();
    assertEquals(0, baton.cli(again, backfill), again.toString());
    assertTrue(
        again
            .toString()
            .contains("backfill done: 0 started (0 succeeded, 0 did not), 30 already run"),
        again.toString());
    assertEquals(30, started("nightly").size(), "repeating it starts nothing");

    java.io.StringWriter bad = new java.io.StringWriter();
    assertEquals(
        2,
        baton.cli(bad, "backfill", "nightly", "--from", "2026-11-30", "--to", "2026-11-01"),
        bad.toString());
    assertTrue(
        bad.toString().contains("--to (2026-11-01T23:59:59.999Z) is before --from"),
        bad.toString());
    assertTrue(bad.toString().contains("Usage: baton backfill"), bad.toString());
    java.io.StringWriter noSchedule = new java.io.StringWriter();
    assertEquals(
        2,
        baton.cli(
            noSchedule, "backfill", "order-placed", "--from", "2026-11-01", "--to", "2026-11-02"),
        noSchedule.toString());
    assertTrue(
        noSchedule.toString().contains("template 'order-placed' has no schedule"),
        noSchedule.toString());
  }

  @Test
  void everySecondScheduleFiresOncePerTickWithTwoEngineInstances() throws Exception {
    EngineConfig.Builder settings =
        baton.engineSettings(baton.prefix + "-engine", work.resolve("streams-2"));
    settings.commitInterval = Duration.ofMillis(30);
    EngineConfig second = settings.build();
    try (Engine other = new Engine(second).start()) {
      assertTrue(other.awaitRunning(Duration.ofSeconds(60)));
      baton.apply(
          "tick.yaml",
          """
          name: tick
          version: 1
          schedule: {every: 1s}
          jobs:
            - {name: beat, command: ["true"]}
          """);
      await().atMost(BatonHarness.DEADLINE).until(() -> started("tick").size() >= 5);
      baton.apply(
          "tick.yaml",
          """
          name: tick
          version: 2
          jobs:
            - {name: beat, command: ["true"]}
          """);
      // A new version without a schedule stops the ticks: the count holds still for 2 s.
      java.util.concurrent.atomic.AtomicInteger last =
          new java.util.concurrent.atomic.AtomicInteger(-1);
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(20))
          .until(() -> last.getAndSet(started("tick").size()) == started("tick").size());
      List<RunEvent> runs = started("tick");
      assertEquals(
          runs.size(),
          runs.stream().map(RunEvent::getRunId).distinct().count(),
          "one run per tick");
      List<Instant> at = runs.stream().map(RunEvent::getOccurredAt).sorted().toList();
      long span =
          Math.round((at.get(at.size() - 1).toEpochMilli() - at.get(0).toEpochMilli()) / 1000.0);
      assertTrue(
          runs.size() >= span && runs.size() <= span + 1,
          runs.size() + " runs over " + span + " s of ticks: " + at);
      assertTrue(other.ready(), "the second instance ran its schedule loop all along");
    }
  }

  @Test
  void triggersCommandListsRulesAndSchedulesWithTheCronLibrarysNextFireTimes() {
    java.io.StringWriter out = new java.io.StringWriter();
    assertEquals(0, baton.cli(out, "triggers", "--next", "2"), out.toString());
    String text = out.toString();
    assertTrue(text.contains("order-placed v1  on orders.placed  filter: event.total > 100"), text);
    dev.baton.template.Schedule nightly =
        new dev.baton.template.Schedule(
            "0 2 * * *", java.time.ZoneId.of("Europe/Paris"), null, true);
    List<Instant> next = nightly.next(Instant.now(), 2);
    assertTrue(
        text.contains(
            "nightly-report v1  cron '0 2 * * *' (Europe/Paris)  catchUp  next: "
                + next.get(0)
                + ", "
                + next.get(1)),
        text);
  }
}
