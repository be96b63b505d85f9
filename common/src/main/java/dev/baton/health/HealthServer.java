package dev.baton.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.baton.metrics.Metrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Liveness and readiness over HTTP for the Deployments' probes: {@code GET /healthz} (the process
 * works) and {@code GET /readyz} (it is doing its job: the engine has its partitions, the
 * dispatcher consumes). 200 when true, 503 when not. With a metrics source, {@code GET /metrics}
 * answers in Prometheus's text format.
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  public HealthServer(int port, BooleanSupplier live, BooleanSupplier ready) throws IOException {
    this(port, live, ready, null);
  }

  public HealthServer(
      int port, BooleanSupplier live, BooleanSupplier ready, Supplier<String> metrics)
      throws IOException {
    server = HttpServers.create(new InetSocketAddress(port), "baton-health");
    server.createContext("/healthz", exchange -> answer(exchange, live.getAsBoolean()));
    server.createContext("/readyz", exchange -> answer(exchange, ready.getAsBoolean()));
    if (metrics != null) {
      server.createContext(
          "/metrics",
          exchange -> {
            byte[] body = metrics.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", Metrics.CONTENT_TYPE);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
    }
    server.start();
  }

  private static void answer(HttpExchange exchange, boolean ok) throws IOException {
    byte[] body = (ok ? "ok\n" : "not ready\n").getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
