package dev.baton.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthServerTest {
  static int get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void probesAnswer200WhenTrueAnd503WhenNot() throws Exception {
    AtomicBoolean ready = new AtomicBoolean(false);
    try (HealthServer server = new HealthServer(0, () -> true, ready::get)) {
      assertEquals(200, get(server.port(), "/healthz"));
      assertEquals(503, get(server.port(), "/readyz"));
      ready.set(true);
      assertEquals(200, get(server.port(), "/readyz"));
    }
  }

  @Test
  void metricsInPrometheusTextFormatWhenGivenARegistry() throws Exception {
    var registry = dev.baton.metrics.Metrics.prometheus();
    registry.counter("baton.example").increment(3);
    try (HealthServer server = new HealthServer(0, () -> true, () -> true, registry::scrape)) {
      var response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
      org.junit.jupiter.api.Assertions.assertTrue(
          response.body().contains("baton_example_total 3.0"), response.body());
      org.junit.jupiter.api.Assertions.assertTrue(
          response.body().contains("jvm_memory_used_bytes"), "JVM meters are bound");
    }
    try (HealthServer server = new HealthServer(0, () -> true, () -> true)) {
      assertEquals(404, get(server.port(), "/metrics"));
    }
  }
}
