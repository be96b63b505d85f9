package dev.baton.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.settings.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceExportTest {
  private static TraceExport of(Map<String, String> env) {
    return TraceExport.from(Settings.of(env), "baton-engine");
  }

  @Test
  void offWithoutAnEndpointOrWhenTurnedOff() {
    assertNull(of(Map.of()));
    assertNull(of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", " ")));
    String url = "http://collector:4318";
    assertNull(of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", url, "OTEL_SDK_DISABLED", "true")));
    assertNull(of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", url, "OTEL_TRACES_EXPORTER", "none")));
    assertFalse(Spans.start(null).on());
  }

  @Test
  void theEndpointFollowsTheStandardVariables() {
    TraceExport e = of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"));
    assertEquals("http://collector:4318/v1/traces", e.endpoint().toString());
    assertEquals("baton-engine", e.service());
    assertEquals(
        "http://collector:4318/v1/traces",
        of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")).endpoint().toString());
    TraceExport own =
        of(
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://ignored:4318",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://traces.example/otlp",
                "OTEL_SERVICE_NAME", "baton-prod",
                "OTEL_EXPORTER_OTLP_HEADERS", "api-key=s%3Dcret, tenant=a"));
    assertEquals("https://traces.example/otlp", own.endpoint().toString());
    assertEquals("baton-prod", own.service());
    assertEquals(Map.of("api-key", "s=cret", "tenant", "a"), own.headers());
    assertFalse(own.toString().contains("cret"), "header values stay out of logs: " + own);
  }

  @Test
  void aBadSettingIsRefusedNamingTheVariable() {
    String url = "http://collector:4318";
    String endpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";
    refused(Map.of(endpoint, url, "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), "_PROTOCOL");
    for (String bad :
        new String[] {
          "collector:4318", "http://", "http://:4318", "http://host:99999", "http://a b"
        }) {
      refused(Map.of(endpoint, bad), endpoint);
    }
    refused(Map.of(endpoint, url, "OTEL_EXPORTER_OTLP_HEADERS", "novalue"), "_HEADERS");
    refused(Map.of(endpoint, url, "OTEL_TRACES_EXPORTER", "jaeger"), "OTEL_TRACES_EXPORTER");
  }

  private static void refused(Map<String, String> env, String named) {
    var e = assertThrows(IllegalArgumentException.class, () -> of(env), env.toString());
    assertTrue(e.getMessage().contains(named), e.getMessage());
  }

  @Test
  void anEndpointThatDoesNotAnswerMakesSpansDropNotWait() throws Exception {
    // A socket that is never accepted: the first send hangs, the queue fills, later spans drop.
    try (java.net.ServerSocket silent =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Spans spans =
          Spans.start(
              of(
                  Map.of(
                      "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + silent.getLocalPort())));
      fill(spans);
    }
  }

  private static void fill(Spans spans) {
    try {
      long t0 = System.nanoTime();
      for (int i = 0; i < Spans.QUEUE + 2 * Spans.BATCH + 100; i++) {
        spans.add(
            SpanRecord.of("s", TraceIds.span("r", "x", "" + i), TraceIds.run("r"))
                .between(java.time.Instant.now(), java.time.Instant.now()));
      }
      assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "adding never waits for the endpoint");
      assertTrue(spans.dropped() > 0, "spans beyond the queue are dropped and counted");
    } finally {
      spans.close();
    }
  }
}
