package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.baton.dispatcher.local.LocalProcessRuntime;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.settings.Settings;
import dev.baton.tracing.TraceExport;
import dev.baton.tracing.Traceparent;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One trace per run, over a real broker, Redis and job processes, sent as OTLP protobuf over HTTP
 * to a receiver this test runs: the run's spans form one connected tree under the run's span
 * (trigger → decision → dispatch → attempt → report → decision → ...), each hop continued through
 * the {@code traceparent} header of a Kafka record; the job sees its attempt's span in {@code
 * TRACEPARENT}; a failed attempt is an error; the caller's trace and a child run's trace are
 * linked. Draws the trace it received to target/trace.png (docs/operations.md's picture).
 */
class TracesIT {
  static BatonHarness baton;
  static HttpServer receiver;
  static final List<Received> spans = new CopyOnWriteArrayList<>();
  static final HexFormat HEX = HexFormat.of();
  @TempDir static Path work;

  /** A span as the receiver decoded it, with the service that sent it. */
  record Received(String service, Span span) {
    String traceId() {
      return HEX.formatHex(span.getTraceId().toByteArray());
    }

    String spanId() {
      return HEX.formatHex(span.getSpanId().toByteArray());
    }

    String parentId() {
      return HEX.formatHex(span.getParentSpanId().toByteArray());
    }

    String name() {
      return span.getName();
    }

    String attribute(String key) {
      return span.getAttributesList().stream()
          .filter(a -> a.getKey().equals(key))
          .map(
              a ->
                  a.getValue().hasStringValue()
                      ? a.getValue().getStringValue()
                      : "" + a.getValue().getIntValue())
          .findFirst()
          .orElse(null);
    }

    long startNanos() {
      return span.getStartTimeUnixNano();
    }

    long endNanos() {
      return span.getEndTimeUnixNano();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    receiver =
        dev.baton.health.HttpServers.create(new InetSocketAddress("127.0.0.1", 0), "receiver");
    receiver.createContext(
        "/v1/traces",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          int status = 200;
          try {
            if (!"application/x-protobuf"
                .equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
              status = 415;
            } else {
              ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
              for (ResourceSpans rs : request.getResourceSpansList()) {
                String service =
                    rs.getResource().getAttributesList().stream()
                        .filter(a -> a.getKey().equals("service.name"))
                        .map(a -> a.getValue().getStringValue())
                        .findFirst()
                        .orElse(null);
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                  for (Span s : ss.getSpansList()) {
                    spans.add(new Received(service, s));
                  }
                }
              }
            }
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            status = 400;
          }
          byte[] response = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
          exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(status, response.length);
          exchange.getResponseBody().write(response);
          exchange.close();
        });
    receiver.start();
    baton = new BatonHarness("traces", work, null, 4);
    // As a deployment sets it: the standard variable, read as the services read it.
    Map<String, String> env =
        Map.of(
            "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + receiver.getAddress().getPort());
    baton.engineTraces = TraceExport.from(Settings.of(env), "baton-engine");
    baton.dispatcherTraces = TraceExport.from(Settings.of(env), "baton-dispatcher");
    baton.restartEngine();
    baton.restartDispatcher(new LocalProcessRuntime(work.resolve("jobs-traced"), 4096));
    baton.apply(
        "traced-child.yaml",
        """
        name: traced-child
        version: 1
        jobs:
          - {name: leaf, command: [sh, -c, 'sleep 0.1']}
        """);
    baton.apply(
        "traced.yaml",
        """
        name: traced
        version: 1
        jobs:
          - name: fetch
            command: [sh, -c, 'sleep 0.2; echo "seen=$TRACEPARENT" >> "$BATON_OUTPUTS"']
            outputs: [seen]
          - name: flaky
            dependsOn: [fetch]
            command: [sh, -c, 'sleep 0.1; [ "$BATON_ATTEMPT" -ge 2 ] || { echo "503" >&2; exit 75; }']
            retry: {limit: 2, backoff: {initial: 100ms}, on: [75]}
          - name: child
            dependsOn: [flaky]
            run: {template: traced-child}
        """);
  }

  @AfterAll
  static void stop() {
    if (baton != null) {
      baton.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  @Test
  void aRunIsOneTraceFromTriggerToEndAcrossEngineDispatcherAndJobs() throws Exception {
    String caller = "00-" + "ab".repeat(16) + "-" + "cd".repeat(8) + "-01";
    baton.send(
        baton.topics.triggers(),
        "trace-1",
        "{\"runId\":\"trace-1\",\"template\":\"traced\",\"params\":{}}",
        Map.of(Traceparent.HEADER, caller.getBytes(StandardCharsets.US_ASCII)));
    RunState run = baton.awaitEnd("trace-1");
    assertEquals(RunStatus.SUCCEEDED, run.status(), run.detail());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                ofTrace1("run traced").size() == 1
                    && ofTrace1("run traced-child").size() == 1
                    && whole(ofTrace(ofTrace1("run traced").get(0).traceId()))
                    && whole(ofTrace(ofTrace1("run traced-child").get(0).traceId())));

    Received root = ofTrace1("run traced").get(0);
    String trace = root.traceId();
    List<Received> tree = spans.stream().filter(s -> s.traceId().equals(trace)).toList();
    assertTrue(root.parentId().isEmpty(), "the run's span is the root");
    assertEquals("trace-1", root.attribute("baton.run.id"));
    Set<String> ids = tree.stream().map(Received::spanId).collect(Collectors.toSet());
    for (Received s : tree) {
      assertTrue(
          s == root || ids.contains(s.parentId()),
          s.name() + " has a parent in the run's trace: " + s.parentId());
      assertEquals("trace-1", s.attribute("baton.run.id"), s.name());
    }
    assertEquals(1, tree.stream().filter(s -> s.parentId().isEmpty()).count(), "one root");

    // The trigger, with the caller's trace linked, then its decision, the dispatch it produced,
    // the attempt, its report and the decision on that report: each hop a child of the one before.
    Received trigger = only(tree, "trigger");
    assertEquals(root.spanId(), trigger.parentId());
    assertEquals(
        "ab".repeat(16), HEX.formatHex(trigger.span().getLinks(0).getTraceId().toByteArray()));
    Received decideTrigger = childNamed(tree, trigger, "decide");
    assertTrue(decideTrigger.attribute("baton.events").contains("JOB_DISPATCHED fetch"));
    Received dispatch = childNamed(tree, decideTrigger, "dispatch fetch");
    assertEquals("baton-dispatcher", dispatch.service());
    Received fetch = childNamed(tree, dispatch, "job fetch #1");
    assertEquals("baton-engine", fetch.service());
    Received report = childNamed(tree, fetch, "report fetch SUCCEEDED");
    Received decideReport = childNamed(tree, report, "decide");
    assertTrue(decideReport.attribute("baton.events").contains("JOB_DISPATCHED flaky"));
    childNamed(tree, decideReport, "dispatch flaky");
    assertTrue(
        fetch.endNanos() - fetch.startNanos() >= 150_000_000L,
        "the attempt's span covers the job's run: " + (fetch.endNanos() - fetch.startNanos()));

    // The job saw its attempt's span: its own spans would join the run's trace under it.
    assertEquals(
        "00-" + trace + "-" + fetch.spanId() + "-01", run.job("fetch").outputs().get("seen"));

    // The failed attempt is an error; its retry's timer follows it, and the second attempt that.
    Received flaky1 = only(tree, "job flaky #1");
    assertEquals(Status.StatusCode.STATUS_CODE_ERROR, flaky1.span().getStatus().getCode());
    assertEquals("JOB_RETRYING", flaky1.attribute("baton.job.result"));
    Received flaky2 = only(tree, "job flaky #2");
    assertEquals(Status.StatusCode.STATUS_CODE_UNSET, flaky2.span().getStatus().getCode());
    Received retry = childNamed(tree, flaky1, "timer RETRY");
    Received decideRetry = childNamed(tree, retry, "decide");
    assertEquals(
        childNamed(tree, decideRetry, "dispatch flaky").spanId(), flaky2.parentId(), "retried");

    // The child run is a trace of its own, linked both ways with the parent's attempt.
    Received childAttempt = only(tree, "job child #1");
    Received childRoot = ofTrace1("run traced-child").get(0);
    assertFalse(childRoot.traceId().equals(trace));
    assertEquals(
        childAttempt.spanId(),
        HEX.formatHex(childRoot.span().getLinks(0).getSpanId().toByteArray()));
    assertEquals(
        childRoot.spanId(),
        HEX.formatHex(childAttempt.span().getLinks(0).getSpanId().toByteArray()));
    assertEquals(root.spanId(), childAttempt.parentId(), "a child run's attempt is not dispatched");
    assertTrue(
        childAttempt.endNanos() - childAttempt.startNanos() >= childRootDuration(childRoot),
        "the attempt lasts as long as its child run at least");

    // Every span lies within the run's span.
    for (Received s : tree) {
      assertTrue(s.startNanos() >= root.startNanos() - 1_000_000L, s.name() + " starts in the run");
      assertTrue(s.endNanos() <= root.endNanos() + 1_000_000L, s.name() + " ends in the run");
    }
    // The run names its trace: in baton status and the API.
    StringWriter status = new StringWriter();
    assertEquals(
        0,
        dev.baton.cli.BatonCli.execute(
            new String[] {"status", "trace-1", "--redis", baton.redisUrl},
            new java.io.PrintWriter(status, true),
            new java.io.PrintWriter(status, true)));
    assertTrue(status.toString().contains("trace     " + trace), status.toString());
    var api = baton.startApi();
    try {
      String view = BatonHarness.httpGet(api.port(), "/api/runs/trace-1");
      assertTrue(view.contains("\"traceId\":\"" + trace + "\""), view);
    } finally {
      api.close();
    }
    // Counted when the receiver's answer reaches the exporter, a moment after the spans arrived.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> spansSent("engine") > 0 && spansSent("dispatcher") > 0);
    draw(tree, root);
  }

  @Test
  void aHeaderNamingAnotherSpanOfTheRunsTraceIsLinkedNotFollowed() throws Exception {
    String forged =
        "00-" + dev.baton.tracing.TraceIds.trace("trace-2") + "-" + "ee".repeat(8) + "-01";
    baton.send(
        baton.topics.triggers(),
        "trace-2",
        "{\"runId\":\"trace-2\",\"template\":\"traced-child\",\"params\":{}}",
        Map.of(Traceparent.HEADER, forged.getBytes(StandardCharsets.US_ASCII)));
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("trace-2").status());
    String trace2 = dev.baton.tracing.TraceIds.trace("trace-2");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                ofTrace(trace2).stream().anyMatch(s -> s.name().equals("run traced-child"))
                    && whole(ofTrace(trace2)));
    List<Received> tree =
        spans.stream().filter(s -> "trace-2".equals(s.attribute("baton.run.id"))).toList();
    Received root = only(tree, "run traced-child");
    Received trigger = only(tree, "trigger");
    assertEquals(
        root.spanId(), trigger.parentId(), "the trigger hangs from the run, not the header");
    assertEquals(
        "ee".repeat(8), HEX.formatHex(trigger.span().getLinks(0).getSpanId().toByteArray()));
    Set<String> ids = tree.stream().map(Received::spanId).collect(Collectors.toSet());
    for (Received s : tree) {
      assertTrue(s == root || ids.contains(s.parentId()), s.name() + " is in the run's tree");
    }
  }

  /** {@code baton_trace_spans_total{result="sent"}} of a service, as {@code /metrics} shows it. */
  private static double spansSent(String service) {
    var sent =
        baton
            .metrics
            .find("baton.trace.spans")
            .tag("service", service)
            .tag("result", "sent")
            .functionCounter();
    return sent == null ? 0 : sent.count();
  }

  private static long childRootDuration(Received childRoot) {
    return childRoot.endNanos() - childRoot.startNanos() - 50_000_000L;
  }

  private static List<Received> ofTrace(String traceId) {
    return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  /**
   * Whether every span of a trace but one has its parent among them. Each service exports in its
   * own batches, so the run's root can arrive before the dispatcher's last dispatch span.
   */
  private static boolean whole(List<Received> trace) {
    Set<String> ids = trace.stream().map(Received::spanId).collect(Collectors.toSet());
    return trace.stream().filter(s -> !ids.contains(s.parentId())).count() == 1;
  }

  /** Spans of run trace-1 and of its child run. */
  private static List<Received> ofTrace1(String name) {
    return spans.stream()
        .filter(s -> s.name().equals(name))
        .filter(s -> s.attribute("baton.run.id").startsWith("trace-1"))
        .toList();
  }

  private static Received only(List<Received> tree, String name) {
    List<Received> found = tree.stream().filter(s -> s.name().equals(name)).toList();
    assertEquals(1, found.size(), name + ": " + found.size() + " spans");
    return found.get(0);
  }

  private static Received childNamed(List<Received> tree, Received parent, String name) {
    List<Received> found =
        tree.stream()
            .filter(s -> s.parentId().equals(parent.spanId()) && s.name().equals(name))
            .toList();
    assertEquals(
        1,
        found.size(),
        name
            + " under "
            + parent.name()
            + "; its children: "
            + tree.stream()
                .filter(s -> s.parentId().equals(parent.spanId()))
                .map(Received::name)
                .toList());
    Received s = found.get(0);
    assertNotNull(s);
    return s;
  }

  /** The trace as a waterfall (span tree, one bar each on the run's time axis), to a PNG. */
  private static void draw(List<Received> tree, Received root) throws Exception {
    List<String> rows = new ArrayList<>();
    double total = Math.max(1, root.endNanos() - root.startNanos());
    walk(tree, root, 0, total, root.startNanos(), rows);
    String html =
        "<!doctype html><html><head><style>"
            + "body{font:13px system-ui,sans-serif;margin:16px;background:#fff;color:#222}"
            + ".row{display:flex;box-sizing:border-box;align-items:center;height:20px}"
            + ".name{box-sizing:border-box;flex:none;width:420px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}"
            + ".axis{position:relative;flex:1;height:14px;background:#f4f4f4}"
            + ".bar{position:absolute;top:2px;height:10px;border-radius:2px;min-width:2px}"
            + ".engine{background:#4a7bd0}.dispatcher{background:#d08a2a}.error{background:#c8412f}"
            + ".ms{width:80px;text-align:right;color:#666}"
            + "h3{margin:0 0 8px}</style></head><body><h3>Trace of run trace-1 (template traced):"
            + " "
            + tree.size()
            + " spans; blue engine, orange dispatcher, red failed</h3>"
            + String.join("", rows)
            + "</body></html>";
    Path page = work.resolve("trace.html");
    Files.writeString(page, html);
    Path png = Path.of("target/trace.png").toAbsolutePath();
    UiBrowserIT.chromium(
        work.resolve("profile-trace"),
        "--window-size=1100," + (60 + 20 * rows.size()),
        "--screenshot=" + png,
        page.toUri().toString());
    assertTrue(Files.size(png) > 1000, "trace drawn to " + png);
  }

  private static void walk(
      List<Received> tree, Received span, int depth, double total, long t0, List<String> rows) {
    double left = 100.0 * (span.startNanos() - t0) / total;
    double width = 100.0 * (span.endNanos() - span.startNanos()) / total;
    String kind =
        span.span().getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR
            ? "error"
            : "baton-dispatcher".equals(span.service()) ? "dispatcher" : "engine";
    rows.add(
        String.format(
            java.util.Locale.ROOT,
            "<div class=row><div class=name style='padding-left:%dpx'>%s</div>"
                + "<div class=axis><div class='bar %s' style='left:%.2f%%;width:%.2f%%'></div></div>"
                + "<div class=ms>%.1f ms</div></div>",
            Math.min(depth * 8, 320),
            span.name(),
            kind,
            left,
            width,
            (span.endNanos() - span.startNanos()) / 1e6));
    tree.stream()
        .filter(s -> s.parentId().equals(span.spanId()))
        .sorted(Comparator.comparingLong(Received::startNanos))
        .forEach(s -> walk(tree, s, depth + 1, total, t0, rows));
  }
}
