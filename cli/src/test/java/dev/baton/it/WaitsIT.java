package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.bench.EngineProcess;
import dev.baton.engine.decide.JobStatus;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.engine.state.RedisRunRepository;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wait steps over a real broker and Redis: keyed events published with kcat before and after their
 * runs wait, an engine process killed (-9) in the middle, expiry of kept events, timeouts,
 * approvals and pause from the CLI, the API and a plain JSON command.
 */
class WaitsIT {
  static final String PAYMENTS = "waits.payments";
  static final Duration LONG = Duration.ofMinutes(4);
  static BatonHarness baton;

  /** The API over the current engine (a test may restart the engine): opened by each test. */
  static dev.baton.engine.api.ApiServer api;

  static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
      if (!admin.listTopics().names().get().contains(PAYMENTS)) {
        admin.createTopics(List.of(new NewTopic(PAYMENTS, 3, (short) 1))).all().get();
      }
    }
    baton = new BatonHarness("waits", work, null, 8);
    baton.apply(
        "pay.yaml",
        """
        name: pay
        version: 1
        params:
          orderId: {required: true}
        jobs:
          - name: await-payment
            wait:
              event:
                topic: waits.payments
                key: event.orderId
                match: "${params.orderId}"
                filter: "event.status == 'OK'"
                outputs: {amount: "string(event.amount)"}
                buffer: 1h
          - {name: ship, command: ["true"]}
        """);
    baton.apply(
        "brief.yaml",
        """
        name: brief
        version: 1
        params:
          orderId: {required: true}
        jobs:
          - name: await-refund
            wait:
              event:
                topic: waits.payments
                key: event.refundOf
                match: "${params.orderId}"
                buffer: 2s
              timeout: 3s
        onExit: {name: tidy, command: ["true"]}
        """);
    baton.apply(
        "ship.yaml",
        """
        name: ship
        version: 1
        params:
          orderId: {required: true}
          gate: {default: ""}
        jobs:
          - {name: pack, command: [sh, -c, 'while [ -n "$gate" ] && [ ! -f "$gate" ]; do sleep 0.05; done']}
          - name: approve
            wait:
              approval: {prompt: "Ship order ${params.orderId}?", inputs: [comment]}
          - {name: send, command: [echo, "${jobs.approve.outputs.comment}"]}
        """);
    await().atMost(LONG).until(() -> baton.engine.triggerRules().reading(PAYMENTS));
  }

  @org.junit.jupiter.api.BeforeEach
  void openApi() throws Exception {
    api = baton.startApi();
  }

  @org.junit.jupiter.api.AfterEach
  void closeApi() {
    api.close();
  }

  @AfterAll
  static void stop() {
    if (baton != null) {
      baton.close();
    }
  }

  /** Publishes each line ("key|json") with kcat, in the order given. */
  static void kcat(String topic, List<String> lines) throws Exception {
    baton.kcat(topic, lines);
  }

  static String payment(int i) {
    return "order-"
        + i
        + "|{\"orderId\":\"order-"
        + i
        + "\",\"status\":\"OK\",\"amount\":"
        + i
        + "}";
  }

  /** Events of runs whose id starts with {@code prefix}, decoded once, by run. */
  static Map<String, List<RunEvent>> eventsByRun(String prefix) {
    Map<String, List<RunEvent>> out = new HashMap<>();
    for (var r : baton.events.records()) {
      String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
      if (key.startsWith(prefix)) {
        out.computeIfAbsent(key, k -> new ArrayList<>())
            .add(baton.wire.decode(r.value(), RunEvent.class));
      }
    }
    return out;
  }

  @Test
  void aThousandRunsGetTheirOwnEventsOnceWhetherTheEventCameBeforeOrAfterAcrossAKill()
      throws Exception {
    int n = 1000;
    Random random = new Random(19);
    List<Integer> early = new ArrayList<>(IntStream.range(0, n / 2).boxed().toList());
    List<Integer> late = new ArrayList<>(IntStream.range(n / 2, n).boxed().toList());
    Collections.shuffle(early, random);
    Collections.shuffle(late, random);
    List<String> before = new ArrayList<>(early.stream().map(WaitsIT::payment).toList());
    before.add(payment(early.get(0))); // the same record twice
    before.add("order-x|{\"orderId\":\"order-1\",\"status\":\"DECLINED\",\"amount\":-1}");
    kcat(PAYMENTS, before);
    List<Integer> order = new ArrayList<>(IntStream.range(0, n).boxed().toList());
    Collections.shuffle(order, random);
    // The engine runs as a process here, so that it can be killed (-9) half-way.
    baton.engine.close();
    RedisRunRepository runs =
        new RedisRunRepository(
            dev.baton.redis.RedisSettings.of(baton.redisUrl), "waits-check", 1, Duration.ZERO);
    EngineProcess first = null;
    try {
      first = EngineProcess.start(work, "engine-a", engineProcessSettings());
      for (int k = 0; k < n / 2; k++) {
        int i = order.get(k);
        baton.trigger("pay-" + i, "pay", Map.of("orderId", "order-" + i));
      }
      await().atMost(LONG).until(() -> runs.find("pay-" + order.get(n / 4)).isPresent());
      first.kill();
      EngineProcess second = EngineProcess.start(work, "engine-b", engineProcessSettings());
      try {
        for (int k = n / 2; k < n; k++) {
          int i = order.get(k);
          baton.trigger("pay-" + i, "pay", Map.of("orderId", "order-" + i));
        }
        List<String> after = new ArrayList<>(late.stream().map(WaitsIT::payment).toList());
        after.add(payment(late.get(0)));
        kcat(PAYMENTS, after);
        await()
            .atMost(LONG)
            .until(
                () ->
                    IntStream.range(0, n)
                        .allMatch(
                            i ->
                                runs.find("pay-" + i)
                                    .map(s -> s.status() == RunStatus.SUCCEEDED)
                                    .orElse(false)));
      } finally {
        second.close();
      }
    } finally {
      if (first != null) {
        first.kill(); // killed already, unless the test failed before
      }
      baton.engine = baton.startEngine();
    }
    for (int i = 0; i < n; i++) {
      RunState run = runs.find("pay-" + i).orElseThrow();
      assertEquals(
          Map.of("amount", Integer.toString(i)),
          run.job("await-payment").outputs(),
          "run pay-" + i + " has its own event's outputs");
      assertEquals(1, run.job("await-payment").attempt());
    }
    await()
        .atMost(LONG)
        .until(() -> eventsByRun("pay-").values().stream().mapToLong(List::size).sum() >= 5L * n);
    Map<String, List<RunEvent>> events = eventsByRun("pay-");
    for (int i = 0; i < n; i++) {
      long completions =
          events.get("pay-" + i).stream()
              .filter(
                  e ->
                      e.getType() == RunEventType.JOB_SUCCEEDED
                          && "await-payment".equals(e.getJob()))
              .count();
      assertEquals(1, completions, "pay-" + i + " completed its wait once");
    }
    runs.close();
  }

  /** The harness's engine settings as an engine process's environment. */
  static Map<String, String> engineProcessSettings() {
    return engineProcessSettings(baton);
  }

  /** {@code baton}'s engine settings as an engine process's environment. */
  static Map<String, String> engineProcessSettings(BatonHarness baton) {
    Map<String, String> env = new HashMap<>();
    env.put("BATON_BOOTSTRAP_SERVERS", baton.bootstrap);
    env.put("BATON_REDIS_URL", baton.redisUrl);
    env.put("BATON_APPLICATION_ID", baton.prefix + "-engine");
    env.put("BATON_TOPIC_PREFIX", baton.prefix);
    env.put("BATON_REPLICATION_FACTOR", "1");
    env.put("BATON_FINISHED_RUN_RETENTION_HOURS", "1");
    env.put("BATON_KAFKA_SESSION_TIMEOUT_MS", "6000");
    env.put(
        dev.baton.security.AttemptTokens.KEY_VARIABLE,
        dev.baton.security.AttemptTokens.processDefault().keyText());
    return env;
  }

  @Test
  void aKeptEventExpiresAndAWaitWhoseEventNeverComesTimesOutAndItsExitHandlerRuns()
      throws Exception {
    kcat(PAYMENTS, List.of("r|{\"refundOf\":\"lonely\",\"orderId\":\"none\",\"status\":\"NO\"}"));
    await()
        .atMost(LONG)
        .until(
            () ->
                baton.engine.correlations().stream()
                    .anyMatch(c -> c.key().equals("lonely") && !c.events().isEmpty()));
    await()
        .atMost(LONG)
        .until(() -> baton.engine.correlations().stream().noneMatch(c -> c.key().equals("lonely")));
    baton.trigger("brief-1", "brief", Map.of("orderId", "lonely"));
    RunState run = baton.awaitEnd("brief-1");
    assertEquals(RunStatus.FAILED, run.status());
    assertEquals(JobStatus.FAILED, run.job("await-refund").status());
    assertTrue(
        run.job("await-refund").error().contains("no event within"),
        run.job("await-refund").error());
    assertEquals(JobStatus.SUCCEEDED, run.job("tidy").status(), "the exit handler ran");
  }

  static String moved(int version, String key) {
    return """
        name: moved
        version: %d
        params:
          orderId: {required: true}
        jobs:
          - name: await
            wait:
              event: {topic: waits.payments, key: "%s", match: "${params.orderId}"}
        """
        .formatted(version, key);
  }

  @Test
  void aRunWaitsAsItsVersionSaysAfterANewVersionChangedTheWait() throws Exception {
    baton.apply("moved.yaml", moved(1, "event.orderId"));
    awaitFollowed("moved-probe-1", "event.orderId");
    baton.trigger("moved-old", "moved", Map.of("orderId", "m-1"));
    awaitWaiting("moved-old", "await");
    baton.apply("moved.yaml", moved(2, "event.ref"));
    awaitFollowed("moved-probe-2", "event.ref");
    kcat(
        PAYMENTS,
        List.of("m-1|{\"orderId\":\"m-1\",\"ref\":\"r-1\",\"status\":\"NO\",\"refundOf\":\"-\"}"));
    RunState old = baton.awaitEnd("moved-old");
    assertEquals(RunStatus.SUCCEEDED, old.status());
    assertEquals(1, old.templateVersion());
  }

  /**
   * Starts a run of the latest "moved" and sends its event until it is taken: the router follows
   * that version's wait ({@code key}) from then on.
   */
  static void awaitFollowed(String runId, String key) throws Exception {
    baton.trigger(runId, "moved", Map.of("orderId", runId));
    awaitWaiting(runId, "await");
    String field = key.substring("event.".length());
    Map<String, String> fields = new java.util.TreeMap<>();
    for (String f : List.of("orderId", "ref", "refundOf")) {
      fields.put(f, f.equals(field) ? runId : "-");
    }
    fields.put("status", "NO");
    String event =
        runId + "|" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(fields);
    await()
        .atMost(LONG)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              kcat(PAYMENTS, List.of(event));
              return baton.engine.runs().find(runId).map(s -> s.status().isFinal()).orElse(false);
            });
  }

  @Test
  void anEventWhoseKeyCannotBeEvaluatedIsDeadLetteredWithTheWait() throws Exception {
    kcat(PAYMENTS, List.of("bad|{\"status\":\"OK\",\"amount\":1}"));
    await()
        .atMost(LONG)
        .until(
            () ->
                baton.deadLetters.records().stream()
                    .anyMatch(
                        r ->
                            reason(r)
                                .contains("wait 'pay/await-payment' (version 1) on " + PAYMENTS)));
  }

  static String reason(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r) {
    var h = r.headers().lastHeader(dev.baton.serde.DeadLetters.REASON);
    return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void awaitWaiting(String runId, String job) {
    await()
        .atMost(LONG)
        .until(
            () ->
                baton
                    .engine
                    .runs()
                    .find(runId)
                    .map(s -> s.job(job).awaiting() != null)
                    .orElse(false));
  }

  @Test
  void approvalsFromTheCliTheApiAndAPlainJsonCommand() throws Exception {
    baton.trigger("ship-cli", "ship", Map.of("orderId", "1"));
    baton.trigger("ship-api", "ship", Map.of("orderId", "2"));
    baton.trigger("ship-kcat", "ship", Map.of("orderId", "3"));
    awaitWaiting("ship-cli", "approve");
    StringWriter out = new StringWriter();
    assertEquals(
        1,
        baton.cli(out, "approve", "ship-cli", "send", "--redis", baton.redisUrl),
        "a job that is not waiting: " + out);
    assertTrue(out.toString().contains("is not waiting for an approval"), out.toString());
    out = new StringWriter();
    assertEquals(
        1,
        baton.cli(
            out, "approve", "ship-cli", "approve", "-p", "colour=red", "--redis", baton.redisUrl),
        out.toString());
    assertTrue(out.toString().contains("has no input 'colour'"), out.toString());
    out = new StringWriter();
    assertEquals(
        0,
        baton.cli(
            out,
            "approve",
            "ship-cli",
            "approve",
            "-p",
            "comment=from-cli",
            "--redis",
            baton.redisUrl),
        out.toString());
    RunState cli = baton.awaitEnd("ship-cli");
    assertEquals(RunStatus.SUCCEEDED, cli.status());
    assertEquals(Map.of("comment", "from-cli"), cli.job("approve").outputs());

    awaitWaiting("ship-api", "approve");
    HttpResponse<String> rejected =
        post("/api/runs/ship-api/jobs/approve/reject", "{\"reason\":\"no stock\",\"by\":\"ann\"}");
    assertEquals(202, rejected.statusCode(), rejected.body());
    RunState api = baton.awaitEnd("ship-api");
    assertEquals(RunStatus.FAILED, api.status());
    assertTrue(
        api.job("approve").error().contains("rejected by local user ")
            && api.job("approve").error().contains(" (as ann): no stock"),
        api.job("approve").error());
    HttpResponse<String> again = post("/api/runs/ship-api/jobs/approve/approve", "{}");
    assertEquals(409, again.statusCode(), again.body());
    assertTrue(again.body().contains("not waiting for an approval"), again.body());
    assertEquals(400, post("/api/runs/ship-api/jobs/approve/approve", "[1]").statusCode());

    awaitWaiting("ship-kcat", "approve");
    kcat(
        baton.topics.commands(),
        List.of(
            "ship-kcat|{\"runId\":\"ship-kcat\",\"type\":\"APPROVE\",\"job\":\"approve\","
                + "\"attempt\":1,\"values\":{\"comment\":\"from-kcat\"}}"));
    RunState kcat = baton.awaitEnd("ship-kcat");
    assertEquals(RunStatus.SUCCEEDED, kcat.status());
    assertEquals(Map.of("comment", "from-kcat"), kcat.job("approve").outputs());
  }

  @Test
  void aPausedRunDispatchesNothingNewUntilResumed() throws Exception {
    Path gate = work.resolve("pause-gate");
    baton.trigger("ship-pause", "ship", Map.of("orderId", "4", "gate", gate.toString()));
    baton.awaitEvent("ship-pause", RunEventType.JOB_DISPATCHED, "pack");
    StringWriter out = new StringWriter();
    assertEquals(
        0, baton.cli(out, "pause", "ship-pause", "--redis", baton.redisUrl), out.toString());
    baton.awaitEvent("ship-pause", RunEventType.RUN_PAUSED, null);
    Files.createFile(gate);
    baton.awaitEvent("ship-pause", RunEventType.JOB_SUCCEEDED, "pack");
    RunState paused = baton.engine.runs().find("ship-pause").orElseThrow();
    assertTrue(paused.paused());
    assertEquals(JobStatus.PENDING, paused.job("approve").status(), "nothing new while paused");
    assertEquals(409, post("/api/runs/ship-pause/pause", "{}").statusCode());
    assertEquals(202, post("/api/runs/ship-pause/resume", "{}").statusCode());
    awaitWaiting("ship-pause", "approve");
    HttpResponse<String> stale =
        post("/api/runs/ship-pause/jobs/approve/approve", "{\"attempt\":2,\"inputs\":{}}");
    assertEquals(409, stale.statusCode(), stale.body());
    assertTrue(stale.body().contains("is stale"), stale.body());
    assertEquals(
        202,
        post("/api/runs/ship-pause/jobs/approve/approve", "{\"inputs\":{\"comment\":\"go\"}}")
            .statusCode());
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("ship-pause").status());
  }

  @Test
  void pauseFromTheApiThenResumeAndRejectFromTheCli() throws Exception {
    Path gate = work.resolve("pause-gate-2");
    baton.trigger("ship-pause-2", "ship", Map.of("orderId", "6", "gate", gate.toString()));
    baton.awaitEvent("ship-pause-2", RunEventType.JOB_DISPATCHED, "pack");
    assertEquals(202, post("/api/runs/ship-pause-2/pause", "{}").statusCode());
    baton.awaitEvent("ship-pause-2", RunEventType.RUN_PAUSED, null);
    Files.createFile(gate);
    baton.awaitEvent("ship-pause-2", RunEventType.JOB_SUCCEEDED, "pack");
    StringWriter out = new StringWriter();
    assertEquals(
        0, baton.cli(out, "resume", "ship-pause-2", "--redis", baton.redisUrl), out.toString());
    awaitWaiting("ship-pause-2", "approve");
    out = new StringWriter();
    assertEquals(
        1,
        baton.cli(out, "resume", "ship-pause-2", "--redis", baton.redisUrl),
        "not paused: " + out);
    out = new StringWriter();
    assertEquals(
        0,
        baton.cli(
            out,
            "reject",
            "ship-pause-2",
            "approve",
            "--reason",
            "too late",
            "--by",
            "bob",
            "--redis",
            baton.redisUrl),
        out.toString());
    RunState run = baton.awaitEnd("ship-pause-2");
    assertEquals(RunStatus.FAILED, run.status());
    assertTrue(run.job("approve").error().contains("rejected by bob: too late"));
  }

  @Test
  void theRunPageShowsTheWaitingStepAndItsApproveButtonLetsTheRunGoOn() throws Exception {
    baton.trigger("ship-ui", "ship", Map.of("orderId", "5"));
    awaitWaiting("ship-ui", "approve");
    try (Cdp browser = Cdp.open(work.resolve("cdp-profile"))) {
      browser.navigate("http://127.0.0.1:" + api.port() + "/#/runs/ship-ui");
      await()
          .atMost(LONG)
          .until(() -> browser.eval("!!document.getElementById('approve-approve')").asBoolean());
      assertEquals(
          "box-WAITING",
          browser
              .eval("document.querySelector('g.job[data-job=approve] rect').getAttribute('class')")
              .asText());
      assertTrue(
          browser
              .eval("document.body.innerText")
              .asText()
              .contains("approve WAITING for approval: Ship order 5?"));
      assertEquals(
          "Cancel,Pause",
          browser
              .eval(
                  "[...document.querySelectorAll('#actions button')].map(b => b.textContent).join()")
              .asText(),
          "a running run can be cancelled or paused, not retried");
      Path screenshot = Path.of("target/ui-approval.png").toAbsolutePath();
      Files.write(screenshot, browser.screenshot());
      browser.eval(
          "document.querySelector('input[data-input=comment]').value = 'from-ui';"
              + " document.getElementById('approve-approve').click(); true");
      RunState run = baton.awaitEnd("ship-ui");
      assertEquals(RunStatus.SUCCEEDED, run.status());
      assertEquals(Map.of("comment", "from-ui"), run.job("approve").outputs());
      await()
          .atMost(LONG)
          .until(
              () ->
                  browser
                      .eval("document.querySelector('h2 .status').textContent")
                      .asText()
                      .startsWith("SUCCEEDED"));
      await()
          .atMost(LONG)
          .until(
              () ->
                  browser.eval("document.querySelectorAll('#actions button').length").asInt() == 0);
    }
  }
}
