package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.api.ApiServer;
import dev.baton.engine.decide.RunStatus;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API as a browser on another site, a rebinding page and slow clients would meet it: what a
 * cross-site form or fetch sends is refused (403, 415) and changes nothing, another host name is
 * not answered, slow and half-sent requests leave {@code /healthz} answering, and an approval
 * records who was authenticated beside who it claims to be.
 */
class ApiDefencesIT {
  static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static BatonHarness baton;
  static ApiServer api;
  static String url;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    baton = new BatonHarness("defences", work, Path.of("../templates"), 4);
    api = baton.startApi();
    url = "http://127.0.0.1:" + api.port();
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
    baton.close();
  }

  static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url + path))
            .POST(
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** What {@code raw} gets back on a plain socket: the status line. */
  static String raw(String raw) throws Exception {
    try (Socket s = new Socket("127.0.0.1", api.port())) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write(raw.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      String answer = new String(s.getInputStream().readNBytes(12), StandardCharsets.UTF_8);
      return answer;
    }
  }

  static HttpResponse<String> get(String base, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A template applied through the API (the designer's path) is checked as {@code templates apply}
   * checks it, needs the token when one is set, is never applied from another site, and runs at
   * once.
   */
  @Test
  void aTemplateAppliedThroughTheApiIsCheckedAsApplyChecksItAndRunsAtOnce() throws Exception {
    String yaml =
        """
        # made in the designer
        name: api-made
        version: 1
        params:
          n: {required: true}
        jobs:
          - name: twice
            command: [sh, -c, 'echo "v=$((N * 2))" >> "$BATON_OUTPUTS"']
            env: {N: "${params.n}"}
            outputs: [v]
        """;
    String body = JSON.writeValueAsString(Map.of("yaml", yaml));
    String json = "application/json";
    HttpResponse<String> forged =
        post("/api/templates", body, "Content-Type", json, "Origin", "https://elsewhere.example");
    assertEquals(403, forged.statusCode(), forged.body());
    HttpResponse<String> asForm = post("/api/templates", body, "Content-Type", "text/plain");
    assertEquals(415, asForm.statusCode(), asForm.body());
    assertEquals(404, get(url, "/api/templates/api-made").statusCode(), "nothing was applied");

    String typo = yaml.replace("outputs: [v]", "outputs: [v]\n    dependsOn: [twise]");
    HttpResponse<String> bad =
        post(
            "/api/templates/validate",
            JSON.writeValueAsString(Map.of("yaml", typo)),
            "Content-Type",
            json);
    assertEquals(400, bad.statusCode(), bad.body());
    var error = JSON.readTree(bad.body()).path("errors").path(0);
    assertEquals("jobs[0].dependsOn[0]", error.path("field").asText(), bad.body());
    assertEquals(11, error.path("line").asInt(), bad.body());

    String token = "t0ken-" + System.nanoTime();
    try (ApiServer locked = baton.startApi(token)) {
      String base = "http://127.0.0.1:" + locked.port();
      HttpResponse<String> anonymous =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/api/templates"))
                  .header("Content-Type", json)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(401, anonymous.statusCode(), anonymous.body());
      HttpResponse<String> applied =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/api/templates"))
                  .header("Content-Type", json)
                  .header("Authorization", "Bearer " + token)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(201, applied.statusCode(), applied.body());
    }
    HttpResponse<String> again = post("/api/templates", body, "Content-Type", json);
    assertEquals(409, again.statusCode(), again.body());
    HttpResponse<String> stored = get(url, "/api/templates/api-made");
    assertEquals(200, stored.statusCode(), stored.body());
    assertEquals(1, JSON.readTree(stored.body()).path("version").asInt(), stored.body());
    assertEquals(yaml, JSON.readTree(stored.body()).path("yaml").asText(), "the text as applied");

    HttpResponse<String> run =
        post(
            "/api/runs",
            "{\"template\":\"api-made\",\"params\":{\"n\":\"21\"},\"runId\":\"api-made-1\"}",
            "Content-Type",
            json);
    assertEquals(201, run.statusCode(), "a run of it starts at once: " + run.body());
    var ended = baton.awaitEnd("api-made-1");
    assertEquals(RunStatus.SUCCEEDED, ended.status());
    assertEquals(Map.of("v", "42"), ended.job("twice").outputs());
  }

  @Test
  void whatABrowserSendsFromAnotherSiteChangesNothing() throws Exception {
    Path gate = work.resolve("csrf-gate");
    baton.applyGate();
    baton.trigger("csrf-1", "gate", Map.of("gate", gate.toString()));
    baton.awaitEvent("csrf-1", dev.baton.events.RunEventType.JOB_DISPATCHED, "wait");
    String evil = "http://evil.example";
    // A no-cors form post and a text/plain fetch from another site.
    assertEquals(
        403,
        post(
                "/api/runs/csrf-1/cancel",
                "a=b",
                "Content-Type",
                "application/x-www-form-urlencoded",
                "Origin",
                evil)
            .statusCode());
    assertEquals(
        403,
        post("/api/runs/csrf-1/cancel", "{}", "Content-Type", "text/plain", "Origin", evil)
            .statusCode());
    assertEquals(
        403,
        post(
                "/api/runs",
                "{\"template\":\"hello\"}",
                "Content-Type",
                "application/json",
                "Sec-Fetch-Site",
                "cross-site")
            .statusCode());
    // Without an Origin (not from a browser), a body still must be JSON.
    assertEquals(415, post("/api/runs", "{\"template\":\"hello\"}").statusCode());
    assertEquals(
        415, post("/api/runs/csrf-1/cancel", "x", "Content-Type", "text/plain").statusCode());
    assertEquals(
        RunStatus.RUNNING, baton.engine.runs().find("csrf-1").orElseThrow().status(), "unchanged");

    // The API's own page, same origin: allowed.
    HttpResponse<String> own =
        post(
            "/api/runs/csrf-1/cancel",
            "{}",
            "Content-Type",
            "application/json",
            "Origin",
            url,
            "Sec-Fetch-Site",
            "same-origin");
    assertEquals(202, own.statusCode(), own.body());
    assertEquals(RunStatus.CANCELLED, baton.awaitEnd("csrf-1").status());
  }

  @Test
  void anotherHostNameIsNotAnswered() throws Exception {
    assertEquals(
        "HTTP/1.1 403",
        raw("GET /api/runs HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"));
    assertEquals(
        "HTTP/1.1 403", raw("GET / HTTP/1.1\r\nHost: evil.example:" + api.port() + "\r\n\r\n"));
    assertEquals(
        "HTTP/1.1 200",
        raw(
            "GET /api/runs HTTP/1.1\r\nHost: localhost:"
                + api.port()
                + "\r\nConnection: close\r\n\r\n"));
  }

  @Test
  void slowAndHalfSentRequestsLeaveTheProbesAnswering() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        Socket s = new Socket("127.0.0.1", api.port());
        s.getOutputStream()
            .write(
                (i % 2 == 0
                        ? "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        : "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type:"
                            + " application/json\r\nContent-Length: 1000\r\n\r\n{\"tem")
                    .getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        slow.add(s);
      }
      long t = System.nanoTime();
      HttpResponse<String> health =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url + "/healthz"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      double ms = (System.nanoTime() - t) / 1e6;
      assertEquals(200, health.statusCode());
      // held up by the slow clients, it would wait out its 5 s timeout
      assertTrue(ms < 3_000, "/healthz answered in " + ms + " ms");

      t = System.nanoTime();
      String huge =
          raw(
              "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 99999999999999\r\n\r\n");
      assertEquals("HTTP/1.1 413", huge);
      assertTrue((System.nanoTime() - t) / 1e6 < 2_000, "413 at once");
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void aSlowRequestIsCutOffAndOneClientCannotHoldEveryThread() throws Exception {
    Socket s = new Socket("127.0.0.1", api.port());
    s.getOutputStream()
        .write("POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    s.setSoTimeout(30_000);
    long t = System.nanoTime();
    InputStream in = s.getInputStream();
    int read = in.read();
    double seconds = (System.nanoTime() - t) / 1e9;
    assertEquals(-1, read, "closed by the server");
    assertTrue(seconds < 20, "within the request time limit: " + seconds + " s");
    s.close();

    // More requests in progress from one client than it may have: the rest get 429 at once.
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < ApiServer.PER_CLIENT; i++) {
        Socket h = new Socket("127.0.0.1", api.port());
        OutputStream out = h.getOutputStream();
        out.write(
            ("POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        held.add(h);
      }
      // Once the held requests reach their handlers, the next one is refused at once; a request
      // tried before that is answered (400) and holds nothing.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  raw(
                      "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          + "Content-Length: 2\r\n\r\n{}"),
              "HTTP/1.1 429"::equals);
    } finally {
      for (Socket h : held) {
        h.close();
      }
    }
  }

  @Test
  void anApprovalRecordsTheAuthenticatedCallerBesideTheNameItClaims() throws Exception {
    baton.apply(
        "approve-who.yaml",
        """
        name: approve-who
        version: 1
        jobs:
          - name: ok
            wait:
              approval: {prompt: "go?"}
        """);
    baton.trigger("who-1", "approve-who", Map.of());
    baton.awaitEvent("who-1", dev.baton.events.RunEventType.JOB_WAITING, "ok");
    HttpResponse<String> r =
        post(
            "/api/runs/who-1/jobs/ok/approve",
            "{\"by\":\"the-ceo\"}",
            "Content-Type",
            "application/json");
    assertEquals(202, r.statusCode(), r.body());
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("who-1").status());
    String detail =
        baton.first("who-1", dev.baton.events.RunEventType.JOB_SUCCEEDED, "ok").getDetail();
    assertTrue(
        detail.contains(
            "approved by local user " + System.getProperty("user.name") + " (as the-ceo)"),
        detail);
  }
}
