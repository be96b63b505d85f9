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
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
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
}
