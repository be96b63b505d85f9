package dev.baton.engine.main;

import dev.baton.artifacts.ArtifactStore;
import dev.baton.engine.Engine;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.api.ApiServer;
import dev.baton.engine.artifacts.ArtifactSweep;
import dev.baton.health.HealthServer;
import dev.baton.metrics.Metrics;
import dev.baton.settings.Settings;
import java.time.Duration;
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
  /** What the API reads, {@code artifacts} the store it serves artifacts from (null: none). */
  public static ApiServer.Sources apiSources(Engine engine, ArtifactStore artifacts) {
    return new ApiServer.Sources(
        engine.runs(),
        () -> engine.templates().latest(),
        engine::live,
        engine::ready,
        engine.counters().registry(),
        engine::correlations,
        engine.templates(),
        artifacts);
  }

  /** How often an engine deletes the artifacts no run needs any more. */
  static final Duration SWEEP_INTERVAL = Duration.ofMinutes(10);

  private static void run(Map<String, String> env) throws Exception {
    EngineConfig config = EngineConfig.from(Settings.of(env));
    var metrics = Metrics.prometheus();
    Engine engine = new Engine(config, metrics).start();
    HealthServer health =
        new HealthServer(config.healthPort(), engine::live, engine::ready, metrics::scrape);
    EngineConfig.Http http = config.http();
    ArtifactStore artifacts = config.artifacts();
    AutoCloseable sweep =
        artifacts == null
            ? () -> {}
            : new ArtifactSweep(artifacts, engine.runs(), metrics).every(SWEEP_INTERVAL);
    ApiServer api =
        http == null
            ? null
            : new ApiServer(
                apiSources(engine, artifacts), config, http.host(), http.port(), http.token());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (api != null) {
                    api.close();
                  }
                  health.close();
                  try {
                    sweep.close();
                  } catch (Exception e) {
                    // stopping
                  }
                  engine.close();
                  stopped.countDown();
                },
                "engine-shutdown"));
    stopped.await();
  }
}
