package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.api.ApiServer;
import dev.baton.engine.decide.RunStatus;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.api.RedissonClient;

/**
 * Run history over a real broker, Redis and Chromium: a run that has left Redis (its keys deleted,
 * as its retention does) is still listed by the API and {@code baton runs --since}, its page draws
 * its DAG from the summary the engine wrote to the history topic as the run ended.
 */
class HistoryIT {
  static BatonHarness baton;
  static ApiServer api;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    baton = new BatonHarness("history", work, Path.of("../templates"), 4);
    api = baton.startApi();
  }

  @AfterAll
  static void stop() {
    api.close();
    baton.close();
  }

  private static String get(String path) throws Exception {
    return BatonHarness.httpGet(api.port(), path);
  }

  @Test
  void aRunThatLeftRedisIsStillListedAndDrawnFromHistory() throws Exception {
    baton.trigger("hist-1", "pipeline", Map.of("source", "history.csv"));
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("hist-1").status());
    RedissonClient redis = dev.baton.redis.RedisSettings.of(SharedBroker.redisUrl()).connect(1, 2);
    try {
      long deleted = redis.getKeys().deleteByPattern("baton:run:{hist-1}*");
      assertTrue(deleted > 0, "the run's keys are gone from Redis");
    } finally {
      redis.shutdown();
    }
    assertTrue(baton.engine.runs().find("hist-1").isEmpty());

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> get("/api/runs/hist-1").contains("\"fromHistory\":true"));
    String run = get("/api/runs/hist-1");
    assertTrue(run.contains("\"status\":\"SUCCEEDED\""), run);
    assertTrue(run.contains("loaded 42 rows from history.csv"), run); // its outputs too
    String list = get("/api/runs?template=pipeline&since=1h");
    assertTrue(list.contains("\"runId\":\"hist-1\""), list);
    assertTrue(list.contains("\"fromHistory\":true"), list);

    StringWriter out = new StringWriter();
    int exit =
        baton.cli(
            out,
            "runs",
            "--redis",
            SharedBroker.redisUrl(),
            "--application-id",
            baton.engineConfig().applicationId(),
            "--since",
            "1h",
            "--template",
            "pipeline");
    assertEquals(0, exit, out.toString());
    assertTrue(
        out.toString().matches("(?s).*\\nhist-1 +pipeline v\\d+ +default +SUCCEEDED .*"),
        out.toString());

    String dom =
        UiBrowserIT.chromium(
            work.resolve("profile-history"),
            "--dump-dom",
            "http://127.0.0.1:" + api.port() + "/#/runs/hist-1");
    assertTrue(dom.contains("<p id=\"history\">"), dom);
    Matcher boxes =
        Pattern.compile("<g class=\"job\" data-job=\"(\\w+)\"[^>]*><rect class=\"box-SUCCEEDED\"")
            .matcher(dom);
    int drawn = 0;
    while (boxes.find()) {
      drawn++;
    }
    assertEquals(3, drawn, dom);
  }
}
