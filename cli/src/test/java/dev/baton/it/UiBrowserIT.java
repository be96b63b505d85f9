package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.engine.api.ApiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI in headless Chromium (Debian's `chromium`, which .ci/run installs): the run page of a
 * three-job pipeline started through the API draws three boxes that turn SUCCEEDED as the run's
 * events arrive. Saves a screenshot to target/ui-run-page.png.
 */
class UiBrowserIT {
  static BatonHarness baton;
  static ApiServer api;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    baton = new BatonHarness("ui", work, Path.of("../templates"), 4);
    api = baton.startApi();
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
    baton.close();
  }

  static String chromium(Path profile, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--window-size=1100,560",
                "--virtual-time-budget=8000"));
    command.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (java.io.IOException e) {
      throw new AssertionError(
          "chromium is not installed: apt-get install chromium (.ci/run does)", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium did not finish");
    return out;
  }

  @Test
  void runPageShowsThePipelineDagTurningSucceeded() throws Exception {
    String base = "http://127.0.0.1:" + api.port();
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base + "/api/runs"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"template\":\"pipeline\",\"params\":{\"source\":\"ui.csv\"}}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    String runId = new ObjectMapper().readTree(body).get("runId").asText();
    String page = base + "/#/runs/" + runId;
    String dom = chromium(work.resolve("profile-1"), "--dump-dom", page);
    Matcher boxes =
        Pattern.compile("<g class=\"job\" data-job=\"(\\w+)\"[^>]*><rect class=\"box-(\\w+)\"")
            .matcher(dom);
    List<String> jobs = new ArrayList<>();
    while (boxes.find()) {
      jobs.add(boxes.group(1) + "=" + boxes.group(2));
    }
    assertEquals(List.of("extract=SUCCEEDED", "transform=SUCCEEDED", "load=SUCCEEDED"), jobs, dom);
    // A run that succeeded offers no action: cancel, retry and pause would each be refused.
    assertTrue(dom.contains("<p id=\"actions\"></p>"), dom);
    // Each box names its step's kind (the pipeline's jobs run in pods: they name an image).
    assertTrue(dom.contains("class=\"kind\" text-anchor=\"end\">pod</text>"), dom);
    Path screenshot = Path.of("target/ui-run-page.png").toAbsolutePath();
    chromium(work.resolve("profile-2"), "--screenshot=" + screenshot, page);
    assertTrue(Files.size(screenshot) > 1000, "screenshot saved to " + screenshot);
  }

  /**
   * A run with a retry: its page draws a timeline with both attempts (the first RETRYING, the
   * second SUCCEEDED) and shows the first attempt's output and error from its runtime's report.
   * Saves a screenshot to target/ui-timeline.png.
   */
  @Test
  void runPageShowsATimelineOfEveryAttemptWithItsLog() throws Exception {
    baton.trigger("ui-flaky", "flaky", java.util.Map.of("succeed_on", "2"));
    assertEquals(dev.baton.engine.decide.RunStatus.SUCCEEDED, baton.awaitEnd("ui-flaky").status());
    String page = "http://127.0.0.1:" + api.port() + "/#/runs/ui-flaky";
    String dom = chromium(work.resolve("profile-timeline"), "--dump-dom", page);
    Matcher bars =
        Pattern.compile(
                "(?s)<g class=\"attempt\" data-key=\"([^\"]+)\">.*?<rect class=\"bar-(\\w+)\"")
            .matcher(dom);
    List<String> attempts = new ArrayList<>();
    while (bars.find()) {
      attempts.add(bars.group(1) + "=" + bars.group(2));
    }
    assertEquals(List.of("call-api #1=RETRYING", "call-api #2=SUCCEEDED"), attempts, dom);
    Matcher firstLog =
        Pattern.compile(
                "(?s)<details class=\"log\" id=\"log-call-api__1\" open=\"\">(.*?)</details>")
            .matcher(dom);
    assertTrue(firstLog.find(), dom);
    assertTrue(firstLog.group(1).contains("attempt 1"), firstLog.group(1));
    assertTrue(firstLog.group(1).contains("503 from upstream"), firstLog.group(1));
    Path screenshot = Path.of("target/ui-timeline.png").toAbsolutePath();
    chromium(
        work.resolve("profile-timeline-2"),
        "--window-size=1100,900",
        "--screenshot=" + screenshot,
        page);
    assertTrue(Files.size(screenshot) > 1000, "screenshot saved to " + screenshot);
  }

  /**
   * A parent's page lists its child runs with links and progress; a child's page links its parent;
   * a cached job's box is CACHED.
   */
  @Test
  void runPagesLinkParentAndChildrenAndShowCachedJobs() throws Exception {
    String base = "http://127.0.0.1:" + api.port();
    baton.trigger("ui-parent", "all-regions", java.util.Map.of());
    assertEquals(dev.baton.engine.decide.RunStatus.SUCCEEDED, baton.awaitEnd("ui-parent").status());
    String dom = chromium(work.resolve("profile-3"), "--dump-dom", base + "/#/runs/ui-parent");
    for (int i = 0; i < 3; i++) {
      String child = "ui-parent:per-region." + i + ".1";
      assertTrue(
          dom.contains("<a href=\"#/runs/ui-parent%3Aper-region." + i + ".1\">" + child + "</a>"),
          dom);
    }
    assertTrue(dom.contains("box-SUCCEEDED"), dom);
    String childDom =
        chromium(
            work.resolve("profile-4"), "--dump-dom", base + "/#/runs/ui-parent:per-region.1.1");
    assertTrue(childDom.contains("child of <a href=\"#/runs/ui-parent\">ui-parent</a>"), childDom);

    java.util.Map<String, String> day = java.util.Map.of("date", "2026-11-29");
    baton.trigger("ui-cache-1", "daily-totals", day);
    baton.awaitEnd("ui-cache-1");
    baton.trigger("ui-cache-2", "daily-totals", day);
    baton.awaitEnd("ui-cache-2");
    String cached = chromium(work.resolve("profile-5"), "--dump-dom", base + "/#/runs/ui-cache-2");
    assertTrue(
        Pattern.compile("<g class=\"job\" data-job=\"extract\"[^>]*><rect class=\"box-CACHED\"")
            .matcher(cached)
            .find(),
        cached);
  }
}
