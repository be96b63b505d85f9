package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.baton.artifacts.ArtifactSettings;
import dev.baton.artifacts.ArtifactStore;
import dev.baton.artifacts.S3ArtifactStore;
import dev.baton.cli.dev.ChildProcess;
import dev.baton.cli.dev.DevFiles;
import dev.baton.cli.dev.LocalS3;
import dev.baton.dispatcher.artifacts.ArtifactTransfers;
import dev.baton.dispatcher.local.LocalProcessRuntime;
import dev.baton.engine.artifacts.ArtifactSweep;
import dev.baton.engine.decide.JobStatus;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.engine.state.RedisRunRepository;
import dev.baton.events.RunEventType;
import dev.baton.redis.RedisSettings;
import dev.baton.secrets.SecretSource;
import dev.baton.security.AttemptTokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.api.RedissonClient;

/**
 * Files between jobs, through a real S3 API server (s3proxy on a temporary directory, in this JVM)
 * and the AWS SDK v2: the local runtime downloads a job's {@code in} artifacts before it starts and
 * uploads its {@code out} artifacts once it succeeded.
 */
class ArtifactsIT {
  @TempDir static Path work;
  static LocalS3 s3;
  static S3ArtifactStore store;
  static BatonHarness baton;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    s3 = LocalS3.start(work.resolve("s3"), DevFiles.freePort(), "artifacts");
    store = new S3ArtifactStore(s3.settings());
    baton = new BatonHarness("art", work, null, 8, runtime(store));
    baton.artifacts = store; // for a forEach over an artifact
    baton.restartEngine();
    echo = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    echo.createContext(
        "/item",
        exchange -> {
          String item = exchange.getRequestURI().getQuery().substring("item=".length());
          byte[] body = JSON.writeValueAsBytes(Map.of("item", item));
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    echo.start();
    baton.apply(
        "lines.yaml",
        """
        name: lines
        version: 1
        params:
          count: {default: "1000"}
        jobs:
          - name: make
            command: [sh, -c, 'seq 1 "$count" | sed "s/^/order-/" > "$BATON_ARTIFACTS/out/orders.txt"; echo "[1, \\"two\\", {\\"n\\": 3}]" > "$BATON_ARTIFACTS/out/mixed.json"']
            artifacts:
              out: {orders: orders.txt, mixed: mixed.json}
          - name: each
            dependsOn: [make]
            forEach: jobs.make.artifacts.orders
            maxParallel: 50
            http:
              url: "http://127.0.0.1:PORT/item?item=${item}"
              outputs: {seen: "string(response.json.item)"}
          - name: elements
            dependsOn: [make]
            forEach: jobs.make.artifacts.mixed
            command: [sh, -c, 'echo "got=$ITEM" >> "$BATON_OUTPUTS"']
            env: {ITEM: "${item}"}
            outputs: [got]
        """
            .replace("PORT", Integer.toString(echo.getAddress().getPort())));
    baton.apply(
        "pipeline.yaml",
        """
        name: files
        version: 1
        params:
          mb: {default: "200"}
        jobs:
          - name: extract
            command: [sh, -c, 'yes 0123456789abcdef | head -c "$((mb * 1048576))" > "$BATON_ARTIFACTS/out/orders.csv"; : > "$BATON_ARTIFACTS/out/empty"']
            artifacts:
              out: {orders: orders.csv, empty: empty}
          - name: transform
            command: [sh, -c, 'echo "sum=$(sha256sum < "$BATON_ARTIFACTS/in/orders" | cut -c1-64)" >> "$BATON_OUTPUTS"; mkdir -p "$BATON_ARTIFACTS/out/counts"; wc -c < "$BATON_ARTIFACTS/in/orders" > "$BATON_ARTIFACTS/out/counts/bytes.txt"; test -f "$BATON_ARTIFACTS/in/empty" && ! test -s "$BATON_ARTIFACTS/in/empty"']
            outputs: [sum]
            artifacts:
              in: {orders: "${jobs.extract.artifacts.orders}", empty: "${jobs.extract.artifacts.empty}"}
              out: {bytes: counts/bytes.txt}
          - name: load
            command: [sh, -c, 'echo "bytes=$(tr -d " " < "$BATON_ARTIFACTS/in/bytes")" >> "$BATON_OUTPUTS"']
            outputs: [bytes]
            artifacts:
              in: {bytes: "${jobs.transform.artifacts.bytes}"}
        """);
    baton.apply(
        "fanin.yaml",
        """
        name: fanin
        version: 1
        jobs:
          - name: make
            command: [sh, -c, 'printf "x\\ny\\nz\\n" > "$BATON_ARTIFACTS/out/list"']
            artifacts: {out: {list: list}}
          - name: part
            dependsOn: [make]
            forEach: jobs.make.artifacts.list
            command: [sh, -c, 'echo "part-$ITEM" > "$BATON_ARTIFACTS/out/part.txt"']
            env: {ITEM: "${item}"}
            artifacts: {out: {part: part.txt}}
          - name: join
            dependsOn: [part]
            command: [sh, -c, 'echo "joined=$(cat "$BATON_ARTIFACTS/in/parts"/* | tr "\\n" ,)" >> "$BATON_OUTPUTS"']
            outputs: [joined]
            artifacts: {in: {parts: "${jobs.part.artifacts.part}"}}
        """);
    baton.apply(
        "cached.yaml",
        """
        name: cached-files
        version: 1
        jobs:
          - name: make
            command: [sh, -c, 'echo "made by $BATON_RUN_ID" > "$BATON_ARTIFACTS/out/data"']
            artifacts: {out: {data: data}}
            cache: {key: "one", ttl: 1h}
          - name: use
            command: [sh, -c, 'echo "got=$(cat "$BATON_ARTIFACTS/in/data")" >> "$BATON_OUTPUTS"']
            outputs: [got]
            artifacts: {in: {data: "${jobs.make.artifacts.data}"}}
        """);
    baton.apply(
        "report-child.yaml",
        """
        name: report-child
        version: 1
        params:
          who: {required: true}
        outputs:
          report: "${jobs.write.artifacts.report}"
        jobs:
          - name: write
            command: [sh, -c, 'echo "report for $who" > "$BATON_ARTIFACTS/out/r.txt"']
            artifacts: {out: {report: r.txt}}
        """);
    baton.apply(
        "report-parent.yaml",
        """
        name: report-parent
        version: 1
        jobs:
          - name: child
            run:
              template: report-child
              params: {who: "the parent"}
          - name: read
            dependsOn: [child]
            command: [sh, -c, 'echo "got=$(cat "$BATON_ARTIFACTS/in/report")" >> "$BATON_OUTPUTS"']
            outputs: [got]
            artifacts: {in: {report: "${jobs.child.artifacts.report}"}}
        """);
    baton.apply(
        "big.yaml",
        """
        name: big
        version: 1
        jobs:
          - name: make
            command: [sh, -c, 'head -c 400000000 /dev/zero > "$BATON_ARTIFACTS/out/data"']
            artifacts: {out: {data: data}}
            timeout: 20s
            retry: {limit: 2, backoff: {initial: 100ms}}
        """);
    baton.apply(
        "broken.yaml",
        """
        name: broken
        version: 1
        params:
          how: {required: true}
        jobs:
          - name: make
            command: [sh, -c, 'echo kept > "$BATON_ARTIFACTS/out/first"; if [ "$how" = link ]; then ln -s /etc/passwd "$BATON_ARTIFACTS/out/data"; fi; if [ "$how" = stored ]; then echo data > "$BATON_ARTIFACTS/out/data"; fi']
            artifacts:
              out: {first: first, data: data}
            retry: {limit: 1, backoff: {initial: 100ms}}
          - name: use
            command: [cat, "$BATON_ARTIFACTS/in/data"]
            artifacts:
              in: {data: "${jobs.make.artifacts.data}"}
        """);
  }

  /** The local runtime, its artifacts in {@code artifacts}. */
  static LocalProcessRuntime runtime(ArtifactStore artifacts) {
    return new LocalProcessRuntime(
        work.resolve("jobs"),
        4096,
        SecretSource.none(),
        new ArtifactTransfers(artifacts, new SimpleMeterRegistry()));
  }

  /** Answers each fan-out instance's call with the item it was given: {"item": "..."}. */
  static HttpServer echo;

  @AfterAll
  static void stop() {
    if (echo != null) {
      echo.stop(0);
    }
    baton.close();
    store.close();
    s3.close();
  }

  static JsonNode artifact(RunState run, String job, String name) throws Exception {
    String ref = run.job(job).outputs().get("artifact:" + name);
    assertNotNull(ref, job + " stored " + name + ": " + run.job(job).outputs());
    return JSON.readTree(ref);
  }

  @Test
  void aPipelinePassesA200MegabyteFileAndItsChecksumsMatch() throws Exception {
    baton.trigger("files-1", "files", Map.of());
    RunState run = baton.awaitEnd("files-1");
    assertEquals(RunStatus.SUCCEEDED, run.status(), run.toString());

    JsonNode orders = artifact(run, "extract", "orders");
    assertEquals(200L * 1048576, orders.get("size").asLong());
    assertEquals(orders.get("sha256").asText(), run.job("transform").outputs().get("sum"));
    assertEquals("s3://artifacts/runs/files-1/extract/1/orders", orders.get("uri").asText());
    assertEquals("files-1/extract/1", orders.get("attempt").asText());
    assertEquals(0, artifact(run, "extract", "empty").get("size").asLong(), "0 bytes is fine");
    assertEquals(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        artifact(run, "extract", "empty").get("sha256").asText());
    assertEquals(Long.toString(200L * 1048576), run.job("load").outputs().get("bytes"));
    assertTrue(
        Files.size(work.resolve("s3/artifacts/runs/files-1/extract/1/orders")) == 200L * 1048576,
        "the file is in the store under its attempt");
  }

  @Test
  void aFanOutOverAnArtifactOfAThousandLinesRunsAnInstancePerLineInOrder() throws Exception {
    baton.trigger("lines-1k", "lines", Map.of());
    RunState run = baton.awaitEnd("lines-1k");
    assertEquals(RunStatus.SUCCEEDED, run.status(), run.detail());
    assertEquals(1000, run.job("each").items());
    JsonNode seen = JSON.readTree(run.job("each").outputs().get("seen"));
    assertEquals(1000, seen.size());
    for (int i = 0; i < 1000; i++) {
      assertEquals("order-" + (i + 1), seen.get(i).asText(), "instance " + i + " got line " + i);
    }
    assertEquals(
        "[\"1\",\"two\",\"{\\\"n\\\":3}\"]",
        run.job("elements").outputs().get("got"),
        "a JSON array gives one instance per element");

    // Past the bound of instances: the fan-out fails before any starts, and says why.
    baton.trigger("lines-too-many", "lines", Map.of("count", "10001"));
    RunState tooMany = baton.awaitEnd("lines-too-many");
    assertEquals(RunStatus.FAILED, tooMany.status());
    assertEquals(
        "forEach over artifact 'orders' of job 'make': it holds 10001 items; a forEach makes at"
            + " most 10000 instances",
        tooMany.job("each").error());
    assertFalse(tooMany.job("each").fansOut(), "no instance was made");
    assertTrue(
        store.keys("runs/lines-1k/").keySet().stream().noneMatch(k -> k.endsWith("/")),
        "directories of the server's file system are not listed as artifacts");
  }

  /**
   * A cached job keeps its artifacts with its result: a later run reads the first run's file, which
   * the sweep keeps after the first run has left Redis, until the result is cleared.
   */
  @Test
  void aCachedResultKeepsItsArtifactsUntilItIsCleared() throws Exception {
    baton.trigger("cached-1", "cached-files", Map.of());
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("cached-1").status());
    baton.trigger("cached-2", "cached-files", Map.of());
    RunState second = baton.awaitEnd("cached-2");
    assertEquals(RunStatus.SUCCEEDED, second.status(), second.toString());
    assertEquals("made by cached-1", second.job("use").outputs().get("got"), "the cached file");
    RedissonClient redis = RedisSettings.of(baton.redisUrl).connect(1, 2);
    try {
      assertTrue(redis.getKeys().deleteByPattern("baton:run:{cached-1}*") > 0);
    } finally {
      redis.shutdown();
    }
    var sweep = new ArtifactSweep(store, baton.engine.runs(), new SimpleMeterRegistry());
    sweep.once();
    assertEquals(
        Map.of("runs/cached-1/make/1/data", 17L),
        store.keys("runs/cached-1/"),
        "the run left Redis; its cached result keeps its file");
    ((RedisRunRepository) baton.engine.runs()).results().clear("cached-files", null, null);
    sweep.once();
    assertTrue(store.keys("runs/cached-1/").isEmpty(), "cleared, the file goes");
  }

  /**
   * A sub-workflow passes a file up through its outputs: the parent's next job reads it, and the
   * sweep keeps it while the parent refers to it, after the child has left Redis.
   */
  @Test
  void aSubWorkflowPassesAnArtifactUpThroughItsOutputs() throws Exception {
    baton.trigger("report-1", "report-parent", Map.of());
    RunState run = baton.awaitEnd("report-1");
    assertEquals(RunStatus.SUCCEEDED, run.status(), run.toString());
    assertEquals("report for the parent", run.job("read").outputs().get("got"));
    JsonNode report = artifact(run, "child", "report");
    assertEquals(
        "s3://artifacts/runs/report-1%3Achild.1/write/1/report", report.get("uri").asText());
    RedissonClient redis = RedisSettings.of(baton.redisUrl).connect(1, 2);
    try {
      assertTrue(redis.getKeys().deleteByPattern("baton:run:{report-1:child.1}*") > 0);
    } finally {
      redis.shutdown();
    }
    new ArtifactSweep(store, baton.engine.runs(), new SimpleMeterRegistry()).once();
    assertEquals(
        Map.of("runs/report-1%3Achild.1/write/1/report", 22L),
        store.keys("runs/report-1%3Achild.1/"),
        "the child left Redis; its parent keeps the file it took");
  }

  /** A fan-in gets each instance's file, in item order, as the files of one directory. */
  @Test
  void aFanInReadsEveryInstancesFileInItemOrder() throws Exception {
    baton.trigger("fanin-1", "fanin", Map.of());
    RunState run = baton.awaitEnd("fanin-1");
    assertEquals(RunStatus.SUCCEEDED, run.status(), run.toString());
    assertEquals("part-x,part-y,part-z,", run.job("join").outputs().get("joined"));
    JsonNode parts = JSON.readTree(run.job("part").outputs().get("artifact:part"));
    assertEquals(3, parts.size());
    assertEquals("s3://artifacts/runs/fanin-1/part[1]/1/part", parts.get(1).get("uri").asText());
    var api = baton.startApi(null, store);
    try {
      String part = "http://127.0.0.1:" + api.port() + "/api/runs/fanin-1/artifacts/part/part";
      var http = java.net.http.HttpClient.newHttpClient();
      var one =
          http.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(part + "?item=1")).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals("part-y\n", one.body(), "?item picks an instance's file");
      var which =
          http.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(part)).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(400, which.statusCode());
      assertTrue(which.body().contains("?item=0 to 2"), which.body());
    } finally {
      api.close();
    }
    new ArtifactSweep(store, baton.engine.runs(), new SimpleMeterRegistry()).once();
    assertEquals(
        4,
        store.keys("runs/fanin-1/").size(),
        "the list and each instance's part stay: " + store.keys("runs/fanin-1/"));
  }

  @Test
  void aMissingArtifactFailsTheAttemptAndItsReaderNeverStarts() throws Exception {
    baton.trigger("broken-missing", "broken", Map.of("how", "missing"));
    RunState run = baton.awaitEnd("broken-missing");
    assertEquals(RunStatus.FAILED, run.status());
    assertEquals(JobStatus.FAILED, run.job("make").status());
    assertTrue(
        run.job("make")
            .error()
            .contains("declared artifact 'data' ($BATON_ARTIFACTS/out/data)" + " was not written"),
        run.job("make").error());
    assertEquals(JobStatus.PENDING, run.job("use").status());
    assertTrue(
        store.keys("runs/broken-missing/").isEmpty(),
        "every declared file is checked before any is stored");

    // What an attempt that uploaded and then died leaves: a file no job refers to.
    Path stray = work.resolve("stray.txt");
    Files.writeString(stray, "uploaded by an attempt that then failed");
    store.put("runs/broken-missing/make/1/first", stray);
    Path orphan = work.resolve("s3/artifacts/runs/broken-missing/make/1/first");
    assertTrue(Files.exists(orphan));
    var sweep = new ArtifactSweep(store, baton.engine.runs(), new SimpleMeterRegistry());
    store.put("runs/ghost-run/make/1/data", stray); // a run that has left Redis
    var swept = sweep.once();
    assertTrue(swept.files() >= 2 && swept.runsGone() >= 1, swept.toString());
    assertTrue(Files.notExists(orphan), "the failed attempt's file is deleted");
    assertTrue(
        store.keys("runs/ghost-run/").isEmpty(), "the artifacts of a run that left Redis go");
    assertTrue(
        store.keys("runs/").keySet().stream()
            .filter(k -> k.startsWith("runs/files-"))
            .allMatch(k -> k.endsWith("/orders") || k.endsWith("/empty") || k.endsWith("/bytes")),
        "what succeeded runs refer to stays");
  }

  /**
   * The dispatcher killed (-9) while it uploads: the attempt is retried, and once the sweep has
   * passed the run's store holds one artifact, the one its state refers to. The dispatcher runs as
   * a process of its own here, so that it can be killed.
   */
  @Test
  void aDispatcherKilledDuringAnUploadLeadsToARetriedAttemptAndOneArtifact() throws Exception {
    Path keys = Files.createDirectories(work.resolve("keys"));
    Files.writeString(keys.resolve("access"), s3.settings().accessKey());
    Files.writeString(keys.resolve("secret"), s3.settings().secretKey());
    Map<String, String> env = new HashMap<>();
    env.put("BATON_BOOTSTRAP_SERVERS", baton.bootstrap);
    env.put("BATON_REDIS_URL", baton.redisUrl);
    env.put("BATON_TOPIC_PREFIX", "art");
    env.put("BATON_DISPATCHER_GROUP", "art-dispatcher");
    env.put("BATON_WORK_DIR", work.resolve("child-jobs").toString());
    env.put("BATON_HEALTH_PORT", Integer.toString(DevFiles.freePort()));
    env.put("BATON_KAFKA_SESSION_TIMEOUT_MS", "6000");
    env.put(AttemptTokens.KEY_VARIABLE, AttemptTokens.processDefault().keyText());
    env.put("BATON_ARTIFACT_STORE", "s3://artifacts");
    env.put("BATON_ARTIFACT_ENDPOINT", s3.settings().endpoint());
    env.put("BATON_ARTIFACT_ACCESS_KEY_FILE", keys.resolve("access").toString());
    env.put("BATON_ARTIFACT_SECRET_KEY_FILE", keys.resolve("secret").toString());
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    Path log = work.resolve("child-dispatcher.log");
    baton.dispatcher.close();
    ChildProcess child =
        new ChildProcess(
                "dispatcher", ChildProcess.java("dev.baton.dispatcher.DispatcherMain"), env, log)
            .start();
    try {
      baton.trigger("killed-upload", "big", Map.of());
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  Files.exists(log)
                      && Files.readString(log)
                          .contains("storing artifact 'data' of killed-upload"));
      child.kill();
    } finally {
      if (child.alive()) {
        child.kill();
      }
      baton.dispatcher = baton.startDispatcher(runtime(store));
    }
    RunState run = baton.awaitEnd("killed-upload");
    assertEquals(RunStatus.SUCCEEDED, run.status(), run.toString());
    assertTrue(run.job("make").attempt() >= 2, "attempt " + run.job("make").attempt());
    JsonNode data = artifact(run, "make", "data");
    assertEquals(400_000_000L, data.get("size").asLong());
    new ArtifactSweep(store, baton.engine.runs(), new SimpleMeterRegistry()).once();
    assertEquals(
        Map.of(store.keyOf(data.get("uri").asText()), 400_000_000L),
        store.keys("runs/killed-upload/"),
        "one artifact, the one the run refers to");
  }

  /** The store out of reach: the attempt fails with the store's address, and its retry runs. */
  @Test
  void anUnreachableStoreFailsTheAttemptWithItsAddressAndTheRetryApplies() throws Exception {
    String nowhere = "http://127.0.0.1:" + DevFiles.freePort();
    try (S3ArtifactStore unreachable =
        new S3ArtifactStore(
            new ArtifactSettings("artifacts", "", nowhere, null, "key", "secret"))) {
      baton.dispatcher.close();
      baton.dispatcher = baton.startDispatcher(runtime(unreachable));
      baton.trigger("no-store", "broken", Map.of("how", "stored"));
      RunState run = baton.awaitEnd("no-store");
      assertEquals(RunStatus.FAILED, run.status());
      assertEquals(2, run.job("make").attempt(), "the retry ran");
      assertTrue(run.job("make").error().contains(nowhere), run.job("make").error());
      // The run's state is in Redis before its events are read back from the topic.
      baton.awaitEvent("no-store", RunEventType.RUN_FAILED, null);
      assertEquals(
          2,
          baton.eventsOf("no-store").stream()
              .filter(
                  e ->
                      (e.getType() == RunEventType.JOB_RETRYING
                              || e.getType() == RunEventType.JOB_FAILED)
                          && e.getDetail().contains(nowhere))
              .count(),
          "each attempt failed on the store");
    } finally {
      baton.dispatcher.close();
      baton.dispatcher = baton.startDispatcher(runtime(store));
    }
  }

  @Test
  void aLinkToAFileOutsideIsNotUploaded() throws Exception {
    baton.trigger("broken-link", "broken", Map.of("how", "link"));
    RunState run = baton.awaitEnd("broken-link");
    assertEquals(RunStatus.FAILED, run.status());
    assertTrue(
        run.job("make").error().contains("is not a regular file inside $BATON_ARTIFACTS/out"),
        run.job("make").error());
    try (Stream<Path> stored = Files.walk(work.resolve("s3/artifacts"))) {
      assertTrue(
          stored.noneMatch(p -> p.toString().contains("broken-link")),
          "nothing of the run is in the store");
    }
  }

  @Test
  void theApiAndTheCliReturnTheStoredBytesAndStatusListsTheArtifacts() throws Exception {
    baton.trigger("files-small", "files", Map.of("mb", "1"));
    RunState run = baton.awaitEnd("files-small");
    assertEquals(RunStatus.SUCCEEDED, run.status(), run.toString());
    byte[] stored =
        Files.readAllBytes(work.resolve("s3/artifacts/runs/files-small/extract/1/orders"));
    assertEquals(1048576, stored.length);
    var api = baton.startApi(null, store);
    try {
      String url = "http://127.0.0.1:" + api.port();
      var response =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              url + "/api/runs/files-small/artifacts/extract/orders"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, response.statusCode());
      assertEquals(-1, Arrays.mismatch(stored, response.body()), "the API streams the bytes");
      assertEquals(
          artifact(run, "extract", "orders").get("sha256").asText(),
          response.headers().firstValue("X-Baton-Artifact-Sha256").orElseThrow());
      assertEquals(
          404,
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(url + "/api/runs/files-small/artifacts/extract/nope"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .statusCode());

      Path fetched = work.resolve("fetched.csv");
      java.io.StringWriter out = new java.io.StringWriter();
      int exit =
          dev.baton.cli.BatonCli.execute(
              new String[] {
                "artifacts",
                "get",
                "files-small",
                "extract",
                "orders",
                "-o",
                fetched.toString(),
                "--api",
                url
              },
              new java.io.PrintWriter(out, true),
              new java.io.PrintWriter(out, true));
      assertEquals(0, exit, out.toString());
      assertEquals(-1, Arrays.mismatch(stored, Files.readAllBytes(fetched)), "the CLI too");

      // A preview: the first bytes only, inline; a bad bound is a 400 with a JSON error.
      var head =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              url + "/api/runs/files-small/artifacts/extract/orders?head=40"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, head.statusCode());
      assertEquals("0123456789abcdef\n".repeat(3).substring(0, 40), head.body());
      assertTrue(head.headers().firstValue("Content-Disposition").isEmpty(), "inline");
      var tooMuch =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              url + "/api/runs/files-small/artifacts/extract/orders?head=70000"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(400, tooMuch.statusCode());
      assertTrue(tooMuch.body().contains("head must be a number of bytes"), tooMuch.body());

      // The run page lists each artifact with its size and a download, and previews its text.
      try (Cdp browser = Cdp.open(work.resolve("profile-artifacts"))) {
        browser.navigate(url + "/#/runs/files-small");
        DesignerBrowserIT.awaitTrue(
            browser, "document.querySelectorAll('#artifacts tbody tr').length === 3");
        assertEquals(
            "extract/orders,extract/empty,transform/bytes",
            DesignerBrowserIT.text(
                browser,
                "[...document.querySelectorAll('#artifacts tbody tr')].map(r => r.dataset.artifact).join()"));
        assertEquals(
            "/api/runs/files-small/artifacts/extract/orders",
            DesignerBrowserIT.text(
                browser,
                "document.querySelector(\"tr[data-artifact='extract/orders'] a\").getAttribute('href')"));
        assertEquals(
            "1.0 MiB",
            DesignerBrowserIT.text(
                browser,
                "document.querySelector(\"tr[data-artifact='extract/orders'] td:nth-child(3)\").textContent"));
        DesignerBrowserIT.click(browser, "tr[data-artifact='extract/orders'] button");
        DesignerBrowserIT.awaitTrue(
            browser, "document.getElementById('artifact-preview').textContent.endsWith('…')");
        String preview =
            DesignerBrowserIT.text(
                browser, "document.getElementById('artifact-preview').textContent");
        assertEquals("0123456789abcdef\n".repeat(20) + "…", preview, "the first 20 lines");
      }

      java.io.StringWriter status = new java.io.StringWriter();
      dev.baton.cli.BatonCli.execute(
          new String[] {
            "status",
            "files-small",
            "--redis",
            baton.redisUrl,
            "--bootstrap-server",
            baton.bootstrap,
            "--topic-prefix",
            "art"
          },
          new java.io.PrintWriter(status, true),
          new java.io.PrintWriter(status, true));
      assertTrue(
          status.toString().contains("artifact orders  1,048,576 bytes  sha256 "),
          status.toString());
    } finally {
      api.close();
    }
  }

  /**
   * The dispatcher's transfers stream: a JVM with 24 MiB of heap uploads a 96 MiB file (in three
   * parts) and reads it back whole. A transfer that buffered the file, or one part of it, would
   * fail with OutOfMemoryError. Its own process: a heap bound holds for a whole JVM only.
   */
  @Test
  void aFileFourTimesTheHeapMovesThroughAJvmWith24MegabytesOfHeap() throws Exception {
    Path file = work.resolve("heap-in.bin");
    byte[] block = new byte[1 << 20];
    new java.util.Random(7).nextBytes(block);
    try (var out = Files.newOutputStream(file)) {
      for (int i = 0; i < 96; i++) {
        block[i] = (byte) i;
        out.write(block);
      }
    }
    Path copy = work.resolve("heap-out.bin");
    var settings = s3.settings();
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx24m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                StoreRoundTrip.class.getName(),
                settings.endpoint(),
                settings.bucket(),
                settings.accessKey(),
                settings.secretKey(),
                file.toString(),
                copy.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), output);
    assertEquals(Files.size(file), Files.size(copy));
    assertEquals(-1L, Files.mismatch(file, copy), "the copy is the file");
  }
}
