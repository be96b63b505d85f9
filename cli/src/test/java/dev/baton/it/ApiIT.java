package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.engine.api.ApiServer;
import dev.baton.engine.decide.RunStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API over a real broker and Redis: start, follow, read, cancel, list, templates, errors.
 */
class ApiIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static BatonHarness baton;
  static ApiServer api;
  static String url;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    baton = new BatonHarness("api", work, Path.of("../templates"), 4);
    api = baton.startApi();
    url = "http://127.0.0.1:" + api.port();
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
    baton.close();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void startFollowAndReadARun() throws Exception {
    HttpResponse<String> created =
        post("/api/runs", "{\"template\":\"pipeline\",\"params\":{\"source\":\"api.csv\"}}");
    assertEquals(201, created.statusCode(), created.body());
    String runId = JSON.readTree(created.body()).get("runId").asText();
    HttpResponse<java.util.stream.Stream<String>> events =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url + "/api/runs/" + runId + "/events"))
                .timeout(Duration.ofSeconds(90))
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, events.statusCode());
    List<String> types =
        events
            .body()
            .filter(l -> l.startsWith("event: "))
            .map(l -> l.substring(7))
            .collect(Collectors.toList());
    assertEquals("RUN_STARTED", types.get(0));
    assertEquals("RUN_SUCCEEDED", types.get(types.size() - 1));
    assertEquals(3, types.stream().filter("JOB_SUCCEEDED"::equals).count(), types.toString());
    JsonNode run = JSON.readTree(get("/api/runs/" + runId).body());
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertEquals(
        "loaded 42 rows from api.csv",
        run.get("jobs").get("load").get("outputs").get("summary").asText());
    JsonNode list =
        JSON.readTree(get("/api/runs?template=pipeline&status=SUCCEEDED&limit=5").body());
    assertTrue(list.toString().contains(runId), list.toString());
    // search by time range and by a parameter's value; each row has its duration
    JsonNode found =
        JSON.readTree(get("/api/runs?since=1h&param=source%3Dapi.csv&limit=500").body());
    assertTrue(found.toString().contains(runId), found.toString());
    for (JsonNode row : found) {
      if (row.get("runId").asText().equals(runId)) {
        assertTrue(row.get("durationMs").asLong() > 0, row.toString());
      }
    }
    assertTrue(
        !get("/api/runs?param=source%3Dother.csv&limit=500").body().contains(runId),
        "another value of the parameter");
    assertTrue(
        !get("/api/runs?until=2020-01-01T00:00:00Z&limit=500").body().contains(runId),
        "started after the range");
  }

  @Test
  void cancelARun() throws Exception {
    String runId =
        JSON.readTree(
                post("/api/runs", "{\"template\":\"diamond\",\"params\":{\"seconds\":\"30\"}}")
                    .body())
            .get("runId")
            .asText();
    baton.awaitEvent(runId, dev.baton.events.RunEventType.JOB_DISPATCHED, "left");
    assertEquals(202, post("/api/runs/" + runId + "/cancel", "").statusCode());
    assertEquals(RunStatus.CANCELLED, baton.awaitEnd(runId).status());
  }

  @Test
  void templatesWithTheirDag() throws Exception {
    assertTrue(get("/api/templates").body().contains("\"name\":\"diamond\""));
    JsonNode diamond = JSON.readTree(get("/api/templates/diamond").body());
    assertEquals(4, diamond.get("dag").get("nodes").size());
    assertTrue(
        diamond.get("dag").get("edges").toString().contains("{\"from\":\"left\",\"to\":\"join\"}"),
        diamond.toString());
    assertEquals(200, get("/api/openapi.json").statusCode());
    HttpResponse<String> page = get("/");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("/ui/app.js"), page.body());
    assertTrue(
        page.headers()
            .firstValue("Content-Security-Policy")
            .orElse("")
            .contains("script-src 'self'"),
        "no inline or foreign script runs on the UI's pages");
    HttpResponse<String> runPage = get("/ui/pages/run.js");
    assertEquals(
        "text/javascript; charset=utf-8",
        runPage.headers().firstValue("Content-Type").orElse(""),
        "modules are served as JavaScript");
    assertTrue(
        runPage.body().contains("EventSource") && runPage.body().contains("/api/runs/"),
        "the run page follows runs live");
    assertEquals(404, get("/ui/../api/openapi.json").statusCode());
    assertEquals(404, get("/ui/vendor/nothing.js").statusCode());
    // every version, who applied it and when; any version by number; the JSON Schema
    JsonNode versions = JSON.readTree(get("/api/templates/diamond/versions").body());
    assertEquals(1, versions.get(0).get("version").asInt(), versions.toString());
    assertTrue(versions.get(0).get("appliedBy").asText().startsWith("cli:"), versions.toString());
    assertTrue(versions.get(0).hasNonNull("appliedAt"), versions.toString());
    assertEquals(
        1, JSON.readTree(get("/api/templates/diamond?version=1").body()).get("version").asInt());
    assertEquals(404, get("/api/templates/diamond?version=99").statusCode());
    assertEquals(400, get("/api/templates/diamond?version=one").statusCode());
    assertEquals(
        "Baton workflow template",
        JSON.readTree(get("/api/schemas/template.json").body()).get("title").asText());
  }

  @Test
  void errorsAreJsonWithTheRightStatus() throws Exception {
    HttpResponse<String> noRun = get("/api/runs/no-such-run");
    assertEquals(404, noRun.statusCode());
    assertEquals("no run 'no-such-run'", JSON.readTree(noRun.body()).get("error").asText());
    HttpResponse<String> missing = post("/api/runs", "{\"template\":\"pipeline\",\"params\":{}}");
    assertEquals(400, missing.statusCode());
    assertTrue(missing.body().contains("missing required parameter 'source'"), missing.body());
    HttpResponse<String> unknown =
        post(
            "/api/runs",
            "{\"template\":\"pipeline\",\"params\":{\"source\":\"x\",\"colour\":\"red\"}}");
    assertEquals(400, unknown.statusCode());
    assertTrue(unknown.body().contains("unknown parameter 'colour'"), unknown.body());
    assertEquals(404, post("/api/runs", "{\"template\":\"nope\"}").statusCode());
    HttpResponse<String> tooBig =
        post(
            "/api/runs",
            "{\"template\":\"pipeline\",\"params\":{\"source\":\"" + "x".repeat(600_000) + "\"}}");
    assertEquals(400, tooBig.statusCode());
    assertTrue(tooBig.body().contains("at most 262144"), tooBig.body());
    assertEquals(400, post("/api/runs", "{\"template\":").statusCode());
    assertEquals(400, get("/api/runs?limit=many").statusCode());
    assertEquals(404, post("/api/runs/no-such-run/cancel", "").statusCode());
  }

  static HttpResponse<String> send(String method, String path, String contentType, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The status, and the JSON error of a 4xx: one line per bad request. */
  static void refused(int status, String errorStart, HttpResponse<String> answer) throws Exception {
    assertEquals(status, answer.statusCode(), answer.body());
    assertTrue(
        answer.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        answer.headers().toString());
    String error = JSON.readTree(answer.body()).get("error").asText();
    assertTrue(
        error.startsWith(errorStart), "'" + error + "' does not start with '" + errorStart + "'");
  }

  /** A request whose body ends before its Content-Length: the server still answers, with 400. */
  static String truncatedRequest() throws Exception {
    try (java.net.Socket socket =
        new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), api.port())) {
      socket.setSoTimeout(10_000);
      String body = "{\"template\":\"hel";
      socket
          .getOutputStream()
          .write(
              ("POST /api/runs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 100\r\nConnection: close\r\n\r\n"
                      + body)
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      socket.shutdownOutput();
      return new String(
          socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void everyBadRequestGetsItsOwn4xxWithAJsonErrorAndNothingHappens() throws Exception {
    String hello = "{\"template\":\"hello\",\"params\":{\"name\":\"Ada\"}";
    // Bodies that are not one whole JSON object.
    refused(400, "the body is not valid JSON", post("/api/runs", hello));
    refused(400, "the body is not valid JSON", post("/api/runs", hello + "}x"));
    refused(400, "the body is not valid JSON", post("/api/runs", hello + "}{}"));
    refused(
        400,
        "the body is not valid JSON",
        post("/api/runs", "{\"template\":\"hello\",\"template\":\"pipeline\"}"));
    refused(400, "the body is empty", post("/api/runs", ""));
    refused(400, "the body must be a JSON object, not array", post("/api/runs", "[]"));
    refused(400, "the body must be a JSON object, not string", post("/api/runs", "\"hello\""));
    byte[] overlong =
        "{\"template\":\"hello\",\"params\":{\"name\":\"a??b\"}}"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    overlong[39] = (byte) 0xC0; // "?" "?" become C0 AF, an overlong '/'
    overlong[40] = (byte) 0xAF;
    refused(
        400,
        "the body is not valid UTF-8",
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url + "/api/runs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(overlong))
                .build(),
            HttpResponse.BodyHandlers.ofString()));
    String truncated = truncatedRequest();
    assertTrue(truncated.startsWith("HTTP/1.1 400"), truncated);
    assertTrue(
        truncated.contains("{\"error\":\"the request body ended before its declared length"),
        truncated);
    // The sender gets the 413 every time, not a reset connection with the answer lost.
    for (int i = 0; i < 10; i++) {
      refused(
          413,
          "the request body is larger than 4194304 bytes",
          post("/api/runs", "{\"template\":\"" + "x".repeat(5_000_000) + "\"}"));
    }
    refused(
        415,
        "the body must be JSON (Content-Type: application/json), not text/plain",
        send("POST", "/api/runs", "text/plain", hello + "}"));
    refused(
        415,
        "the body must be JSON",
        send("POST", "/api/runs", "application/x-www-form-urlencoded", hello + "}"));
    // Fields and values.
    refused(
        400,
        "unknown field 'colour'",
        post("/api/runs", "{\"template\":\"hello\",\"colour\":\"red\"}"));
    refused(400, "field 'template' must name a template", post("/api/runs", "{\"template\":\"\"}"));
    refused(400, "field 'template' must name a template", post("/api/runs", "{\"template\":7}"));
    refused(
        400,
        "field 'params' must be an object",
        post("/api/runs", "{\"template\":\"hello\",\"params\":[\"Ada\"]}"));
    refused(
        400,
        "parameter 'name' must be a string, number or boolean",
        post("/api/runs", "{\"template\":\"hello\",\"params\":{\"name\":{\"first\":\"Ada\"}}}"));
    refused(
        400,
        "parameter 'name' must be a string, number or boolean",
        post("/api/runs", "{\"template\":\"hello\",\"params\":{\"name\":null}}"));
    refused(
        400,
        "field 'runId' must be 1 to 200 letters",
        post("/api/runs", "{\"template\":\"hello\",\"runId\":\"\"}"));
    refused(
        400,
        "field 'runId' must be 1 to 200 letters",
        post("/api/runs", "{\"template\":\"hello\",\"runId\":\"a/b\"}"));
    refused(
        400,
        "field 'runId' must be 1 to 200 letters",
        post("/api/runs", "{\"template\":\"hello\",\"runId\":\"" + "r".repeat(201) + "\"}"));
    refused(
        400,
        "field 'runId' must be 1 to 200 letters",
        post("/api/runs", "{\"template\":\"hello\",\"runId\":12}"));
    refused(
        400,
        "run id 'pp1:child.1' has the form of a child run's",
        post("/api/runs", "{\"template\":\"hello\",\"runId\":\"pp1:child.1\"}"));
    refused(404, "no template 'nope'", post("/api/runs", "{\"template\":\"nope\"}"));
    // Routes, methods and queries.
    refused(404, "no route /api;", get("/api/"));
    refused(404, "no page /api", get("/api"));
    refused(404, "no route /api/nothing", get("/api/nothing"));
    refused(404, "no route /api/runs/x/y/z", get("/api/runs/x/y/z"));
    HttpResponse<String> delete = send("DELETE", "/api/runs", null, null);
    refused(405, "method DELETE is not allowed on /api/runs; allowed: GET, POST", delete);
    assertEquals("GET, POST", delete.headers().firstValue("Allow").orElse(""));
    refused(
        405,
        "method GET is not allowed on /api/runs/x/cancel; allowed: POST",
        get("/api/runs/x/cancel"));
    refused(
        405,
        "method PUT is not allowed on /api/templates/hello",
        send("PUT", "/api/templates/hello", "application/json", "{}"));
    refused(405, "method POST is not allowed on /;", post("/", "{}"));
    refused(
        400, "limit must be a whole number from 1 to 500, got 'abc'", get("/api/runs?limit=abc"));
    refused(400, "limit must be a whole number from 1 to 500, got '0'", get("/api/runs?limit=0"));
    refused(
        400, "limit must be a whole number from 1 to 500, got '501'", get("/api/runs?limit=501"));
    refused(400, "status must be one of ", get("/api/runs?status=BOGUS"));
    assertTrue(
        get("/api/runs?status=BOGUS").body().contains("SUCCEEDED"), "the allowed values are named");
    refused(
        400,
        "unknown query parameter 'colour'; allowed: template, status, tenant, since, until, param,"
            + " limit",
        get("/api/runs?colour=red"));
    refused(
        400,
        "since must be an instant (2026-12-01T00:00:00Z) or a time back from now (30m, 2h, 7d),"
            + " got 'yesterday'",
        get("/api/runs?since=yesterday"));
    refused(400, "param must be name=value", get("/api/runs?param=region"));
    refused(400, "since (", get("/api/runs?since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z"));
    assertEquals(200, get("/api/runs?status=succeeded&limit=500").statusCode());
    refused(404, "no run 'no-such-run'", post("/api/runs/no-such-run/retry", ""));

    // Commands that the engine would refuse, and a run id already taken.
    HttpResponse<String> created =
        post(
            "/api/runs",
            "{\"template\":\"hello\",\"runId\":\"api-done-1\",\"params\":{\"name\":\"Ada\"}}");
    assertEquals(201, created.statusCode(), created.body());
    assertEquals("api-done-1", JSON.readTree(created.body()).get("runId").asText());
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("api-done-1").status());
    refused(
        409,
        "only a FAILED run can be retried; run 'api-done-1' is SUCCEEDED",
        post("/api/runs/api-done-1/retry", ""));
    refused(
        409,
        "run 'api-done-1' has already ended SUCCEEDED; there is nothing to cancel",
        post("/api/runs/api-done-1/cancel", ""));
    refused(
        409,
        "run 'api-done-1' already exists",
        post(
            "/api/runs",
            "{\"template\":\"hello\",\"runId\":\"api-done-1\",\"params\":{\"name\":\"Bo\"}}"));
    assertEquals(1, baton.count("api-done-1", dev.baton.events.RunEventType.RUN_STARTED, null));
  }

  @Test
  void aRunPastItsSlaIsReportedOnTheEventsAndInMetricsAndStillSucceeds() throws Exception {
    baton.apply(
        "late.yaml",
        """
        name: late
        version: 1
        sla: {duration: 1s}
        params:
          gate: {required: true}
        jobs:
          - name: hold
            command: [sh, -c, 'while [ ! -f "$gate" ]; do sleep 0.05; done']
            sla: {duration: 500ms}
          - {name: after, command: ["true"]}
        """);
    java.nio.file.Path gate = work.resolve("late-gate");
    baton.trigger("late-1", "late", java.util.Map.of("gate", gate.toString()));
    baton.awaitEvent("late-1", dev.baton.events.RunEventType.JOB_SLA_MISSED, "hold");
    baton.awaitEvent("late-1", dev.baton.events.RunEventType.RUN_SLA_MISSED, null);
    assertEquals(
        "RUNNING", baton.engine.runs().find("late-1").orElseThrow().status().name(), "not stopped");
    var missed = baton.first("late-1", dev.baton.events.RunEventType.RUN_SLA_MISSED, null);
    assertTrue(missed.getDetail().contains("1s after its trigger (sla)"), missed.getDetail());
    String body = get("/metrics").body();
    for (String of : List.of("run", "job")) {
      String prefix = "baton_sla_missed_total{of=\"" + of + "\"} ";
      double missedCount =
          body.lines()
              .filter(l -> l.startsWith(prefix))
              .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
              .findFirst()
              .orElse(0);
      assertTrue(missedCount >= 1, prefix + missedCount);
    }
    java.nio.file.Files.createFile(gate);
    assertEquals("SUCCEEDED", baton.awaitEnd("late-1").status().name());
    assertEquals(
        1, baton.count("late-1", dev.baton.events.RunEventType.RUN_SLA_MISSED, null), "once");
  }

  @Test
  void metricsOfEngineAndDispatcherInPrometheusFormat() throws Exception {
    String runId =
        JSON.readTree(
                post("/api/runs", "{\"template\":\"pipeline\",\"params\":{\"source\":\"m.csv\"}}")
                    .body())
            .get("runId")
            .asText();
    assertEquals("SUCCEEDED", baton.awaitEnd(runId).status().name());
    baton.send(baton.topics.completions(), "no-json", "{not json");
    org.awaitility.Awaitility.await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                get("/metrics")
                    .body()
                    .contains("baton_dead_letters_total{reason=\"malformed\",stage=\"engine\"}"));
    HttpResponse<String> metrics = get("/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(
        metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
        metrics.headers().toString());
    String body = metrics.body();
    for (String line :
        List.of(
            "baton_runs_started_total ",
            "baton_runs_ended_total{outcome=\"succeeded\"} ",
            "baton_jobs_dispatched_total ",
            "baton_jobs_ended_total{outcome=\"succeeded\"} ",
            "baton_step_transition_seconds_bucket{le=",
            "baton_step_transition_seconds_count ",
            "baton_redis_round_trip_seconds_count{op=\"save-batch\"} ",
            "baton_engine_events_total{result=\"applied\"} ",
            "kafka_consumer_fetch_manager_records_lag_max{",
            "baton_dispatcher_dispatches_total{action=\"start\"} ",
            "baton_dispatcher_jobs_ended_total{status=\"succeeded\"} ",
            "baton_dispatcher_start_latency_seconds_count ",
            "jvm_memory_used_bytes{")) {
      assertTrue(body.contains(line), line + " missing from /metrics");
    }
    double transitions =
        body.lines()
            .filter(l -> l.startsWith("baton_step_transition_seconds_count "))
            .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
            .sum();
    assertTrue(
        transitions >= 2,
        "a pipeline of three jobs has two step transitions; counted " + transitions);
  }

  @Test
  void withATokenEveryApiCallNeedsItAndTheNetworkNeedsAToken() throws Exception {
    String token = "t0ken-" + System.nanoTime();
    try (ApiServer locked = baton.startApi(token)) {
      String base = "http://127.0.0.1:" + locked.port();
      HttpResponse<String> anonymous =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/api/runs")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(401, anonymous.statusCode());
      assertTrue(
          anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
      assertEquals(
          401,
          HTTP.send(
                  HttpRequest.newBuilder(URI.create(base + "/api/runs"))
                      .header("Authorization", "Bearer wrong")
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode());
      assertEquals(
          401,
          HTTP.send(
                  HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode());
      assertEquals(
          200,
          HTTP.send(
                  HttpRequest.newBuilder(URI.create(base + "/api/runs"))
                      .header("Authorization", "Bearer " + token)
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode());
      assertEquals(
          200,
          HTTP.send(
                  HttpRequest.newBuilder(URI.create(base + "/api/runs"))
                      .header("Cookie", "baton_token=" + token)
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode(),
          "the web UI's cookie");
      assertEquals(
          200,
          HTTP.send(
                  HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode(),
          "probes stay open");
    }
    IllegalArgumentException open =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                new ApiServer(
                    dev.baton.engine.main.EngineMain.apiSources(baton.engine, null),
                    baton.engineConfig(),
                    "0.0.0.0",
                    0,
                    null));
    assertTrue(open.getMessage().contains("BATON_HTTP_TOKEN_FILE"), open.getMessage());
  }

  @Test
  void fiftyOpenEventStreamsLeaveProbesAnsweringAndEachGetsTheWholeRun() throws Exception {
    Path gate = work.resolve("streams-gate");
    baton.applyGate();
    String runId =
        JSON.readTree(
                post("/api/runs", "{\"template\":\"gate\",\"params\":{\"gate\":\"" + gate + "\"}}")
                    .body())
            .get("runId")
            .asText();
    baton.awaitEvent(runId, dev.baton.events.RunEventType.JOB_DISPATCHED, "wait");
    List<java.util.concurrent.CompletableFuture<HttpResponse<java.util.stream.Stream<String>>>>
        streams = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      streams.add(
          HTTP.sendAsync(
              HttpRequest.newBuilder(URI.create(url + "/api/runs/" + runId + "/events"))
                  .timeout(Duration.ofSeconds(90))
                  .build(),
              HttpResponse.BodyHandlers.ofLines()));
    }
    for (var s : streams) {
      assertEquals(200, s.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode());
    }
    List<Long> probeMillis = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      assertEquals(200, get("/readyz").statusCode());
      probeMillis.add((System.nanoTime() - t0) / 1_000_000);
    }
    System.out.println("/readyz with 50 event streams open: " + probeMillis + " ms");
    assertTrue(
        probeMillis.stream().sorted().toList().get(2) <= 1_000,
        "median /readyz under 1 s (a probe queued behind the streams waits for their 90 s): "
            + probeMillis);
    java.nio.file.Files.createFile(gate);
    for (var s : streams) {
      List<String> types =
          s.get()
              .body()
              .filter(l -> l.startsWith("event: "))
              .map(l -> l.substring(7))
              .collect(Collectors.toList());
      assertEquals("RUN_STARTED", types.get(0), types.toString());
      assertEquals("RUN_SUCCEEDED", types.get(types.size() - 1), types.toString());
      assertEquals(2, types.stream().filter("JOB_SUCCEEDED"::equals).count(), types.toString());
    }
  }
}
