package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.cli.dev.DevFiles;
import dev.baton.engine.api.ApiServer;
import dev.baton.engine.decide.RunStatus;
import dev.baton.redis.RedisServerProcess;
import dev.baton.serde.Wire;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /readyz means "applying records now": it turns false while Redis is away and true when it is
 * back; a run that Redis forgot (it came back empty) ends FAILED with the reason, never vanishes.
 */
class ReadinessIT {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static int redisPort;
  static RedisServerProcess redis;
  static BatonHarness baton;
  static ApiServer api;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    redisPort = DevFiles.freePort();
    redis = RedisServerProcess.start(redisPort);
    baton =
        new BatonHarness(
            "ready",
            work,
            Path.of("../templates"),
            4,
            null,
            Wire.json(),
            dev.baton.engine.EngineConfig.EXACTLY_ONCE,
            redis.url());
    api = baton.startApi();
    baton.applyGate();
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) {
      api.close();
    }
    baton.close();
    if (redis != null) {
      redis.close();
    }
  }

  static int readyz() throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/readyz"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void notReadyWhileRedisIsAwayAndReadyWhenItIsBackAndARunItForgotEndsFailedVisibly()
      throws Exception {
    Path gate = work.resolve("gate-open");
    baton.trigger("held-over", "gate", Map.of("gate", gate.toString()));
    baton.awaitEvent("held-over", dev.baton.events.RunEventType.JOB_DISPATCHED, "wait");
    assertEquals(200, readyz());
    redis.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> readyz() == 503);
    redis = RedisServerProcess.start(redisPort);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> readyz() == 200);
    baton.trigger("ready-after", "hello", Map.of());
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("ready-after").status());

    // The restarted Redis is empty: the held run's state is gone. Its job's completion ends it,
    // visibly.
    java.nio.file.Files.createFile(gate);
    baton.awaitEvent("held-over", dev.baton.events.RunEventType.RUN_FAILED, null);
    String detail =
        baton.first("held-over", dev.baton.events.RunEventType.RUN_FAILED, null).getDetail();
    org.junit.jupiter.api.Assertions.assertTrue(
        detail.contains("Redis lost this run's state"), detail);
  }
}
