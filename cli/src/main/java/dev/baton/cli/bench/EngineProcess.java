package dev.baton.cli.bench;

import dev.baton.cli.dev.ChildProcess;
import dev.baton.cli.dev.DevFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Baton's engine as the benchmark runs it: its own JVM, started the way a deployment starts it
 * ({@code dev.baton.engine.main.EngineMain} with {@code BATON_*} variables), so its CPU time and
 * memory are its own. Heap and JFR recordings go through {@code jcmd}; Kafka Streams' meters
 * through the engine's {@code /metrics}.
 */
public final class EngineProcess implements AutoCloseable {
  private final ChildProcess process;
  private final int healthPort;
  private final Path work;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private EngineProcess(ChildProcess process, int healthPort, Path work) {
    this.process = process;
    this.healthPort = healthPort;
    this.work = work;
  }

  /** Starts an engine and waits until it has its partitions ({@code /readyz}). */
  public static EngineProcess start(Path work, String name, Map<String, String> settings)
      throws Exception {
    int healthPort = DevFiles.freePort();
    Map<String, String> env = new LinkedHashMap<>(settings);
    env.put("BATON_HEALTH_PORT", Integer.toString(healthPort));
    env.put("BATON_STATE_DIR", work.resolve(name + "-state").toString());
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    ChildProcess child =
        new ChildProcess(
                name,
                ChildProcess.java("dev.baton.engine.main.EngineMain"),
                env,
                work.resolve(name + ".log"))
            .start();
    EngineProcess engine = new EngineProcess(child, healthPort, work);
    engine.awaitReady(Duration.ofSeconds(90));
    return engine;
  }

  long pid() {
    return process.pid();
  }

  /** Kills the engine at once (SIGKILL): no shutdown, no commit. */
  public void kill() throws InterruptedException {
    process.kill();
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.alive()) {
        throw new IllegalStateException(
            "the engine stopped while starting; see " + work.resolve(process.name() + ".log"));
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + healthPort + "/readyz"))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new IllegalStateException(
        "the engine was not ready within "
            + timeout.toSeconds()
            + " s; see "
            + work.resolve(process.name() + ".log"));
  }

  /** The engine's meters in Prometheus's text format. */
  String metrics() throws IOException, InterruptedException {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + healthPort + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /**
   * The sum of the samples of {@code metric} whose labels contain every one of {@code labels}; NaN
   * when absent. Each call is a scrape of the engine: to read several metrics at one moment, scrape
   * once ({@link #metrics()}) and read them with {@link #metricIn}.
   */
  double metric(String metric, String... labels) throws IOException, InterruptedException {
    return metricIn(metrics(), metric, labels);
  }

  /** {@link #metric(String, String...)} read from a scrape already taken, {@code scraped}. */
  static double metricIn(String scraped, String metric, String... labels) {
    double sum = 0;
    boolean found = false;
    for (String line : scraped.split("\n")) {
      if (!line.startsWith(metric + "{") && !line.startsWith(metric + " ")) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= line.contains(label);
      }
      if (all) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? sum : Double.NaN;
  }

  /** Heap in use right after a full GC, in MiB. */
  long heapAfterGcMiB() throws Exception {
    jcmd("GC.run");
    return (long) (metric("jvm_memory_used_bytes", "area=\"heap\"") / (1 << 20));
  }

  /** Starts a JFR recording with the profiling settings. */
  void startRecording() throws Exception {
    jcmd("JFR.start", "name=bench", "settings=profile");
  }

  /** Stops the recording, written to {@code file}. */
  void stopRecording(Path file) throws Exception {
    jcmd("JFR.stop", "name=bench", "filename=" + file.toAbsolutePath());
  }

  private void jcmd(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid())));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(
          "jcmd " + String.join(" ", args) + " failed for the engine (pid " + process.pid() + ")");
    }
  }

  @Override
  public void close() {
    try {
      process.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
