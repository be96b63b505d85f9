package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.bench.EngineProcess;
import dev.baton.dispatcher.http.AllowedHosts;
import dev.baton.dispatcher.local.LocalProcessRuntime;
import dev.baton.engine.decide.JobStatus;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.RunEventType;
import dev.baton.secrets.SecretSource;
import dev.baton.serde.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steps that talk to services, over a real broker and Redis: an HTTP server started here, an
 * inventory service written with plain kafka-clients, events emitted in the decision's transaction,
 * durable sleeps, and what an attacker might send through each.
 */
class ServiceStepsIT {
  static final String REQUESTS = "svc.inventory.requests";
  static final String SHIPPED = "svc.orders.shipped";
  static final String BURST = "svc.burst.shipped";
  static final String HOOK_SECRET = "hook-s3cret";
  static BatonHarness baton;
  static dev.baton.engine.api.ApiServer api;
  static dev.baton.engine.Engine apiEngine;
  static TestServices services;
  static TestServices.InventoryService inventory;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
      var existing = admin.listTopics().names().get();
      List<NewTopic> missing =
          java.util.stream.Stream.of(REQUESTS, SHIPPED, BURST)
              .filter(t -> !existing.contains(t))
              .map(t -> new NewTopic(t, 3, (short) 1))
              .toList();
      admin.createTopics(missing).all().get();
    }
    services = new TestServices();
    baton = new BatonHarness("svc", work, null, 4);
    // Only the test server's own address: localhost by name is not on the list.
    baton.httpHosts = AllowedHosts.parse("127.0.0.1:" + services.port());
    Path secrets = Files.createDirectories(work.resolve("secrets/payments"));
    Files.writeString(secrets.resolve("token"), "Bearer s3cret\n");
    Path hookSecrets = Files.createDirectories(work.resolve("secrets/hooks"));
    Files.writeString(hookSecrets.resolve("push"), HOOK_SECRET + "\n");
    baton.secrets = new SecretSource(work.resolve("secrets"), Map.of());
    baton.restartDispatcher(new LocalProcessRuntime(work.resolve("jobs-2"), 4096));
    inventory =
        new TestServices.InventoryService(baton.bootstrap, REQUESTS, "svc-inventory-service");
    baton.apply(
        "order.yaml",
        """
        name: order
        version: 1
        params: {order: {required: true}, sku: {default: "s-1"}}
        jobs:
          - name: quote
            http:
              url: "%1$s/quote/${params.order}"
              headers: {Authorization: {secretRef: {name: payments, key: token}}}
              outputs: {amount: "string(response.json.amount)", currency: "response.json.currency"}
            timeout: 5s
          - name: charge
            http:
              method: POST
              url: "%1$s/flaky/${params.order}"
              headers: {Content-Type: application/json}
              body: '{"order": "${params.order}", "amount": ${jobs.quote.outputs.amount}}'
              expect: [200, 201]
              outputs: {code: "string(response.status)", amount: "string(response.json.charged.amount)"}
            timeout: 5s
            retry: {limit: 2, on: [timeout, 503], backoff: {initial: 100ms}}
          - name: reserve
            service:
              topic: svc.inventory.requests
              key: "${params.sku}"
              value: {sku: "${params.sku}", order: "${params.order}"}
            timeout: 1m
            outputs: [reservationId]
          - name: nap
            sleep: {for: 1s}
          - name: announce
            emit:
              topic: svc.orders.shipped
              key: "${params.order}"
              value: {order: "${params.order}", reservation: "${jobs.reserve.outputs.reservationId}", charged: "${jobs.charge.outputs.amount}"}
        """
            .formatted("http://127.0.0.1:" + services.port()));
    baton.apply(
        "call.yaml",
        """
        name: call
        version: 1
        params: {host: {default: "127.0.0.1:%d"}, path: {required: true}, note: {default: "-"}}
        jobs:
          - name: call
            http:
              url: "http://${params.host}${params.path}"
              headers: {X-Note: "${params.note}"}
            timeout: 2s
        """
            .formatted(services.port()));
    baton.apply(
        "ask.yaml",
        """
        name: ask
        version: 1
        params: {sku: {required: true}}
        jobs:
          - name: reserve
            service: {topic: svc.inventory.requests, key: "${params.sku}", value: {sku: "${params.sku}"}}
            timeout: 2s
            outputs: [reservationId]
        """);
    baton.apply(
        "pushed.yaml",
        """
        name: pushed
        version: 1
        params: {sha: {required: true}}
        on:
          - webhook:
              path: svc-push
              secret: {secretRef: {name: hooks, key: push}}
              signature: {header: X-Hub-Signature-256, scheme: hmac-sha256}
              filter: "body.ref == 'refs/heads/main'"
              params: {sha: "body.after"}
              idempotencyKey: "headers['x-github-delivery']"
        jobs:
          - name: build
            command: [echo, "${params.sha}"]
        """);
    baton.apply(
        "pinged.yaml",
        """
        name: pinged
        version: 1
        params: {who: {default: nobody}}
        on:
          - webhook: {path: svc-ping, secret: none, params: {who: "body.who"}}
        jobs:
          - name: pong
            command: [echo, "${params.who}"]
        """);
    baton.apply(
        "burst.yaml",
        """
        name: burst
        version: 1
        params: {n: {required: true}}
        jobs:
          - name: announce
            emit: {topic: svc.burst.shipped, key: "${params.n}", value: {n: "${params.n}"}}
        """);
    baton.apply(
        "nap.yaml",
        """
        name: nap
        version: 1
        jobs:
          - name: nap
            sleep: {for: 3s}
          - {name: after, command: ["true"]}
        """);
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) {
      api.close();
    }
    inventory.close();
    services.close();
    baton.close();
  }

  @Test
  void aRunOfHttpServiceSleepAndEmitStepsSucceedsWithTheirOutputs() throws Exception {
    baton.trigger("svc-order-1", "order", Map.of("order", "o-1", "sku", "s-7"));
    RunState run = baton.awaitEnd("svc-order-1");
    assertEquals(RunStatus.SUCCEEDED, run.status(), run.toString());
    assertEquals(Map.of("amount", "42", "currency", "EUR"), run.job("quote").outputs());
    // The 503 was retried; the second attempt was charged.
    assertEquals(2, run.job("charge").attempt());
    assertEquals(Map.of("code", "201", "amount", "42"), run.job("charge").outputs());
    assertEquals(Map.of("reservationId", "res-s-7"), run.job("reserve").outputs());
    // Each call carried its attempt as the idempotency key, and the attempt's trace.
    var quote = services.requests.stream().filter(r -> r.getKey().equals("/quote/o-1")).toList();
    assertEquals(1, quote.size());
    assertEquals("svc-order-1/quote/1", quote.get(0).getValue().get("idempotency-key"));
    assertTrue(quote.get(0).getValue().get("traceparent").startsWith("00-"));
    assertEquals(
        List.of("svc-order-1/charge/1", "svc-order-1/charge/2"),
        services.requests.stream()
            .filter(r -> r.getKey().equals("/flaky/o-1"))
            .map(r -> r.getValue().get("idempotency-key"))
            .toList());
    // The secret went to the server and nowhere else.
    for (var e : baton.eventsOf("svc-order-1")) {
      assertFalse(e.toString().contains("s3cret"), e.toString());
    }
    // The event, once, committed with the run's decision.
    List<ConsumerRecord<byte[], byte[]>> shipped = committed(SHIPPED, "o-1", 1);
    assertEquals(
        "{\"order\":\"o-1\",\"reservation\":\"res-s-7\",\"charged\":\"42\"}",
        new String(shipped.get(0).value(), StandardCharsets.UTF_8));
    var sleptFor =
        Duration.between(
            baton.first("svc-order-1", RunEventType.JOB_DISPATCHED, "nap").getOccurredAt(),
            baton.first("svc-order-1", RunEventType.JOB_SUCCEEDED, "nap").getOccurredAt());
    assertTrue(sleptFor.compareTo(Duration.ofSeconds(1)) >= 0, "slept " + sleptFor);
  }

  /** The records of {@code topic} with {@code key}, read committed, once there are {@code n}. */
  static List<ConsumerRecord<byte[], byte[]>> committed(String topic, String key, int n) {
    try (TopicReader reader = new TopicReader(baton.bootstrap, topic)) {
      await().atMost(BatonHarness.DEADLINE).until(() -> keyed(reader, key).size() >= n);
      return keyed(reader, key);
    }
  }

  static List<ConsumerRecord<byte[], byte[]>> keyed(TopicReader reader, String key) {
    return reader.records().stream()
        .filter(r -> r.key() != null && key.equals(new String(r.key(), StandardCharsets.UTF_8)))
        .toList();
  }

  @Test
  void aCallPastItsTimeoutFailsTheAttemptAndTheLateAnswerChangesNothing() throws Exception {
    baton.trigger("svc-slow", "call", Map.of("path", "/slow"));
    RunState run = baton.awaitEnd("svc-slow");
    assertEquals(RunStatus.FAILED, run.status());
    baton.awaitEvent("svc-slow", RunEventType.RUN_FAILED, null);
    assertEquals(JobStatus.FAILED, run.job("call").status());
    assertTrue(
        run.job("call").error().contains("no whole response within 2000 ms"), run.toString());
    long events = baton.eventsOf("svc-slow").size();
    services.slowAnswer.countDown();
    await().atMost(BatonHarness.DEADLINE).until(services.slowAnswered::get);
    // The answer went to a closed connection: the run is as it was.
    RunState after = baton.engine.runs().find("svc-slow").orElseThrow();
    assertEquals(RunStatus.FAILED, after.status());
    assertEquals(1, after.job("call").attempt());
    assertEquals(events, baton.eventsOf("svc-slow").size());
  }

  @Test
  void aHostNotOnTheAllowListFailsTheAttemptNamingTheHost() throws Exception {
    baton.trigger(
        "svc-denied", "call", Map.of("host", "localhost:" + services.port(), "path", "/quote/x"));
    RunState run = baton.awaitEnd("svc-denied");
    assertEquals(RunStatus.FAILED, run.status());
    String error = run.job("call").error();
    assertTrue(error.contains("host 'localhost' is not on this dispatcher's allow-list"), error);
    assertEquals(0, services.hits("/quote/x"));
  }

  @Test
  void whatAnAttackerSendsThroughAnHttpStepFailsItsAttemptWithTheReason() throws Exception {
    Map<String, String> expected =
        Map.of(
            "svc-big", "the response body is larger than 1048576 bytes",
            "svc-loris", "no whole response within 2000 ms",
            "svc-redirect", "HTTP 302: redirect to 169.254.169.254 not followed",
            "svc-crlf", "header X-Note has a line break in its value: not sent");
    baton.trigger("svc-big", "call", Map.of("path", "/big"));
    baton.trigger("svc-loris", "call", Map.of("path", "/loris"));
    baton.trigger("svc-redirect", "call", Map.of("path", "/redirect"));
    // A parameter with CR/LF in a header's value: the request is never sent.
    baton.send(
        baton.topics.triggers(),
        "svc-crlf",
        "{\"runId\":\"svc-crlf\",\"template\":\"call\",\"params\":{\"path\":\"/echo\","
            + "\"note\":\"a\\r\\nX-Evil: 1\"}}");
    for (var e : expected.entrySet()) {
      RunState run = baton.awaitEnd(e.getKey());
      assertEquals(RunStatus.FAILED, run.status(), e.getKey());
      String error = run.job("call").error();
      assertNotNull(error, e.getKey());
      assertTrue(error.contains(e.getValue()), e.getKey() + ": " + error);
    }
    assertEquals(0, services.hits("/echo"), "the request with a line break was not sent");
    assertEquals(
        0, services.requests.stream().filter(r -> r.getValue().containsKey("x-evil")).count());
    assertTrue(baton.dispatcher.ready(), "the dispatcher kept running");
  }

  @Test
  void aServiceReplyWithoutTheTokenOrForAnEndedAttemptIsDeadLettered() throws Exception {
    // The service first answers without the token, then properly.
    baton.trigger("svc-unsigned", "ask", Map.of("sku", "unsigned"));
    RunState run = baton.awaitEnd("svc-unsigned");
    assertEquals(RunStatus.SUCCEEDED, run.status());
    assertEquals(Map.of("reservationId", "res-unsigned"), run.job("reserve").outputs());
    assertTrue(
        deadLetterReasons("svc-unsigned").stream().anyMatch(r -> r.contains("no attempt token")),
        deadLetterReasons("svc-unsigned").toString());

    // The service holds the request past the step's timeout, then answers.
    baton.trigger("svc-late", "ask", Map.of("sku", "hold-1"));
    run = baton.awaitEnd("svc-late");
    assertEquals(RunStatus.FAILED, run.status());
    assertTrue(run.job("reserve").error().contains("no reply from the service"), run.toString());
    inventory.answerHeld();
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                deadLetterReasons("svc-late").stream()
                    .anyMatch(r -> r.startsWith("reply refused")));
    RunState after = baton.engine.runs().find("svc-late").orElseThrow();
    assertEquals(RunStatus.FAILED, after.status());
    assertEquals(Map.of(), after.job("reserve").outputs());
  }

  static List<String> deadLetterReasons(String key) {
    return baton.deadLetters.records().stream()
        .filter(r -> r.key() != null && key.equals(new String(r.key(), StandardCharsets.UTF_8)))
        .map(
            r ->
                new String(
                    r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8))
        .toList();
  }

  @Test
  void aSleepHoldsItsRunAboutItsTimeAcrossAnEngineRestart() throws Exception {
    baton.trigger("svc-nap", "nap", Map.of());
    baton.awaitEvent("svc-nap", RunEventType.JOB_DISPATCHED, "nap");
    long restartStarted = System.nanoTime();
    baton.restartEngine();
    Duration restart = Duration.ofNanos(System.nanoTime() - restartStarted);
    RunState run = baton.awaitEnd("svc-nap");
    assertEquals(RunStatus.SUCCEEDED, run.status());
    Duration slept =
        Duration.between(
            baton.first("svc-nap", RunEventType.JOB_DISPATCHED, "nap").getOccurredAt(),
            baton.first("svc-nap", RunEventType.JOB_SUCCEEDED, "nap").getOccurredAt());
    assertTrue(slept.compareTo(Duration.ofSeconds(3)) >= 0, "slept " + slept);
    // A timer due while the engine was down fires when it is back, not later.
    Duration bound = Duration.ofSeconds(3).plus(restart).plusSeconds(5);
    assertTrue(slept.compareTo(bound) < 0, "slept " + slept + " (restart took " + restart + ")");
    assertEquals(1, baton.count("svc-nap", RunEventType.JOB_SUCCEEDED, "nap"));
  }

  @Test
  @SuppressWarnings("try") // the second engine is only there to run
  void anEmitIsWrittenOnceWhenTheEngineIsKilledMidStream() throws Exception {
    // The engine runs as a process here, so that it can be killed (-9) as its first emits appear:
    // what it decided and wrote since its last commit is aborted and decided again by the next
    // engine. Among committed records each emitted event is there exactly once. (Whether the kill
    // lands inside a transaction varies; the printed counts show when it did.)
    baton.engine.close();
    EngineProcess first = null;
    List<String> sent = new java.util.ArrayList<>();
    List<String> lines = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String n = "n" + i;
      sent.add(n);
      lines.add(
          "svc-burst-"
              + n
              + "|{\"runId\":\"svc-burst-"
              + n
              + "\",\"template\":\"burst\",\"params\":{\"n\":\""
              + n
              + "\"}}");
    }
    try (TopicReader all = new TopicReader(baton.bootstrap, BURST, false);
        TopicReader committed = new TopicReader(baton.bootstrap, BURST)) {
      try {
        first = EngineProcess.start(work, "emit-engine", WaitsIT.engineProcessSettings(baton));
        baton.kcat(baton.topics.triggers(), lines);
        await().atMost(BatonHarness.DEADLINE).until(() -> !all.records().isEmpty());
        first.kill();
        // Same state directory: the new engine takes over the dead one's transactions at once.
        try (EngineProcess second =
            EngineProcess.start(work, "emit-engine", WaitsIT.engineProcessSettings(baton))) {
          await()
              .atMost(BatonHarness.DEADLINE)
              .until(
                  () ->
                      sent.stream()
                          .allMatch(
                              n ->
                                  baton.count("svc-burst-" + n, RunEventType.RUN_SUCCEEDED, null)
                                      > 0));
          await().atMost(BatonHarness.DEADLINE).until(() -> committed.records().size() >= 300);
        }
      } finally {
        if (first != null) {
          first.kill();
        }
        baton.engine = baton.startEngine();
      }
      List<String> keys =
          committed.records().stream()
              .map(r -> new String(r.key(), StandardCharsets.UTF_8))
              .sorted()
              .toList();
      assertEquals(sent.stream().sorted().toList(), keys);
      System.out.println(
          "emit records written: " + all.records().size() + ", committed: " + keys.size());
    }
  }

  @Test
  void aSignedWebhookStartsOneRunThoughDeliveredTwice() throws Exception {
    String body = "{\"ref\": \"refs/heads/main\", \"after\": \"abc123\"}";
    Map<String, String> headers =
        Map.of("X-Hub-Signature-256", Hooks.sign(HOOK_SECRET, body), "X-GitHub-Delivery", "d-1");
    var first = Hooks.post(api(), "svc-push", body, headers);
    assertEquals(202, first.statusCode(), first.body());
    String runId = Hooks.field(first.body(), "runId");
    var again = Hooks.post(api(), "svc-push", body, headers);
    assertTrue(again.statusCode() == 200 || again.statusCode() == 202, again.body());
    assertEquals(runId, Hooks.field(again.body(), "runId"));
    RunState run = baton.awaitEnd(runId);
    assertEquals(RunStatus.SUCCEEDED, run.status());
    assertEquals("abc123", run.params().get("sha"));
    var late = Hooks.post(api(), "svc-push", body, headers);
    assertEquals(200, late.statusCode(), late.body());
    assertTrue(late.body().contains("\"started\":false"), late.body());
    assertEquals(1, baton.count(runId, RunEventType.RUN_STARTED, null));
  }

  @Test
  void webhookRequestsAnAttackerSendsStartNothing() throws Exception {
    String body = "{\"ref\": \"refs/heads/main\", \"after\": \"evil\"}";
    long before = Hooks.records(baton.bootstrap, baton.topics.triggers());
    Map<String, String> delivery = Map.of("X-GitHub-Delivery", "d-evil");
    assertRefused(401, "is missing", Hooks.post(api(), "svc-push", body, delivery));
    assertRefused(
        401,
        "does not match",
        Hooks.post(api(), "svc-push", body, with(delivery, Hooks.sign("guessed", body))));
    // A signature taken from another body (a replay with the payload changed).
    String other = "{\"ref\": \"refs/heads/main\", \"after\": \"abc123\"}";
    assertRefused(
        401,
        "does not match",
        Hooks.post(api(), "svc-push", body, with(delivery, Hooks.sign(HOOK_SECRET, other))));
    String huge = "{\"pad\": \"" + "x".repeat(2 << 20) + "\"}";
    assertRefused(
        413, "larger than", Hooks.post(api(), "svc-push", huge, with(delivery, "sha256=00")));
    String notJson = "ref=refs/heads/main";
    assertRefused(
        400,
        "not valid JSON",
        Hooks.post(api(), "svc-push", notJson, with(delivery, Hooks.sign(HOOK_SECRET, notJson))));
    String noAfter = "{\"ref\": \"refs/heads/main\"}";
    assertRefused(
        400,
        "after",
        Hooks.post(api(), "svc-push", noAfter, with(delivery, Hooks.sign(HOOK_SECRET, noAfter))));
    String branch = "{\"ref\": \"refs/heads/dev\", \"after\": \"x\"}";
    var filtered =
        Hooks.post(api(), "svc-push", branch, with(delivery, Hooks.sign(HOOK_SECRET, branch)));
    assertEquals(200, filtered.statusCode(), filtered.body());
    assertTrue(filtered.body().contains("filter said no"), filtered.body());
    assertRefused(404, "no webhook", Hooks.post(api(), "nope", body, delivery));
    assertRefused(
        415,
        "must be JSON",
        Hooks.post(api(), "svc-push", body, with(Map.of("Content-Type", "text/plain"), "x")));
    assertEquals(before, Hooks.records(baton.bootstrap, baton.topics.triggers()));
    // A hook that says secret: none takes anyone's JSON.
    var open = Hooks.post(api(), "svc-ping", "{\"who\": \"me\"}", Map.of());
    assertEquals(202, open.statusCode(), open.body());
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd(Hooks.field(open.body(), "runId")).status());
  }

  /** {@code baton templates apply FILE} against this class's broker and topics: what it printed. */
  private static String applyWithCli(int[] exit, Path file) {
    return CliArgumentsTest.run(
        exit,
        "templates",
        "apply",
        file.toString(),
        "--bootstrap-server",
        baton.bootstrap,
        "--topic-prefix",
        baton.prefix)[0];
  }

  private static Map<String, String> with(Map<String, String> headers, String signature) {
    Map<String, String> out = new java.util.HashMap<>(headers);
    out.put("X-Hub-Signature-256", signature);
    return out;
  }

  private static void assertRefused(
      int status, String why, java.net.http.HttpResponse<String> response) {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.body().contains(why), response.body());
  }

  /**
   * The port of an API on the engine running now (other tests of this class replace the engine, and
   * an API reads the runs of the engine it was started with).
   */
  private static synchronized int api() throws java.io.IOException {
    if (api != null && apiEngine != baton.engine) {
      api.close();
      api = null;
    }
    if (api == null) {
      api = baton.startApi();
      apiEngine = baton.engine;
    }
    return api.port();
  }

  @Test
  void applyRefusesAServiceTopicThatDoesNotExistAndAHookPathTaken() throws Exception {
    Path dir = Files.createDirectories(work.resolve("apply"));
    Path missing = dir.resolve("missing.yaml");
    Files.writeString(
        missing,
        """
        name: svc-missing-topic
        version: 1
        jobs:
          - name: ask
            service: {topic: svc.no.such.topic, value: {a: b}}
        """);
    int[] exit = new int[1];
    String out = applyWithCli(exit, missing);
    assertEquals(1, exit[0], out);
    assertTrue(
        out.contains(
            missing + ":5: jobs[0].service.topic: topic 'svc.no.such.topic' does not exist"),
        out);
    Path taken = dir.resolve("taken.yaml");
    Files.writeString(
        taken,
        """
        name: svc-other-push
        version: 1
        on:
          - webhook: {path: svc-push, secret: none}
        jobs:
          - name: tell
            emit: {topic: svc.orders.shipped, value: {a: b}}
        """);
    out = applyWithCli(exit, taken);
    assertEquals(1, exit[0], out);
    assertTrue(
        out.contains(
            taken + ":4: on[0].webhook.path: webhook path 'svc-push' is template 'pushed''s"),
        out);
  }
}
