package dev.baton.engine.main;

import dev.baton.engine.Engine;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.api.ApiServer;
import dev.baton.health.HealthServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The engine as a process: the engine, its health server, and the REST API when {@code
 * BATON_HTTP_PORT} is set. The one place that wires the API to the engine.
 */
public final class EngineMain {
  private EngineMain() {}

  public static void main(String[] args) throws Exception {
    try {
      run(System.getenv());
    } catch (IllegalArgumentException | IllegalStateException e) {
      // Bad settings, refused credentials: one clear line and a non-zero exit, not a process left
      // hanging.
      System.err.println("baton engine: " + e.getMessage());
      System.exit(2);
    }
  }

  /** What the API reads of this engine. */
  public static ApiServer.Sources apiSources(Engine engine) {
    return new ApiServer.Sources(
        engine.runs(),
        () -> engine.templates().latest(),
        engine::live,
        engine::ready,
        engine.counters().registry());
  }

  private static void run(Map<String, String> env) throws Exception {
    var metrics = dev.baton.metrics.Metrics.prometheus();
    EngineConfig config = EngineConfig.fromEnv(env);
    Engine engine = new Engine(config, metrics).start();
    int healthPort = Integer.parseInt(env.getOrDefault("BATON_HEALTH_PORT", "8080"));
    HealthServer health =
        new HealthServer(healthPort, engine::live, engine::ready, metrics::scrape);
    // The REST API is off unless BATON_HTTP_PORT is set, on 127.0.0.1 unless BATON_HTTP_HOST says
    // otherwise, and needs the
    // bearer token of BATON_HTTP_TOKEN_FILE when that is set (it must be, on any other interface).
    String httpPort = env.get("BATON_HTTP_PORT");
    String tokenFile = env.get("BATON_HTTP_TOKEN_FILE");
    String token = tokenFile == null ? null : Files.readString(Path.of(tokenFile)).strip();
    ApiServer api =
        httpPort == null
            ? null
            : new ApiServer(
                apiSources(engine),
                config,
                env.getOrDefault("BATON_HTTP_HOST", "127.0.0.1"),
                Integer.parseInt(httpPort),
                token);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (api != null) {
                    api.close();
                  }
                  health.close();
                  engine.close();
                  stopped.countDown();
                },
                "engine-shutdown"));
    stopped.await();
  }
}
