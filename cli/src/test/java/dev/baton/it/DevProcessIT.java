package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.dev.ChildProcess;
import dev.baton.cli.dev.DevFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * `baton dev` as a user runs it, in a process of its own: its Redis killed, it starts it again; a
 * signal during runs stops it in order, within 5 s, without a stack trace; after a kill -9 it
 * leaves no Redis holding the port, and the next start cleans what the killed one left. Its own
 * processes: signals, kill -9 and what a process leaves behind are what is tested.
 */
class DevProcessIT {
  static final Duration START = Duration.ofMinutes(2);

  /** A running `baton dev` and everything it printed. */
  static final class Dev {
    final Process process;

    /** Written by the output reader, read by the test: StringBuffer's locking is wanted. */
    @SuppressWarnings("JdkObsolete")
    final StringBuffer output = new StringBuffer();

    final int kafka = DevFiles.freePort();
    final int controller = DevFiles.freePort();
    final int redis;
    final int http = DevFiles.freePort();

    Dev(int redisPort) throws IOException {
      this(redisPort, java.util.Map.of());
    }

    /** With {@code env} added to the process's environment. */
    Dev(int redisPort, java.util.Map<String, String> env) throws IOException {
      this.redis = redisPort;
      List<String> command = new ArrayList<>();
      if (sigintIgnored()) {
        // Started in the background by a shell without job control (as `./run-tests &` is), this
        // JVM ignores SIGINT and so would `baton dev`: give it back the default, as a terminal's
        // foreground process has it.
        command.addAll(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die $!"));
      }
      command.addAll(ChildProcess.java("dev.baton.cli.BatonCli"));
      command.addAll(
          List.of(
              "dev",
              "--no-example",
              "--templates",
              "../templates",
              "--kafka-port",
              Integer.toString(kafka),
              "--controller-port",
              Integer.toString(controller),
              "--redis-port",
              Integer.toString(redis),
              "--http-port",
              Integer.toString(http)));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(env);
      process = builder.start();
      Thread reader =
          new Thread(
              () -> {
                try (InputStream in = process.getInputStream()) {
                  byte[] buf = new byte[8192];
                  for (int n; (n = in.read(buf)) > 0; ) {
                    output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                  }
                } catch (IOException e) {
                  // the process ended
                }
              },
              "dev-output");
      reader.setDaemon(true);
      reader.start();
    }

    void awaitReady() throws InterruptedException {
      long deadline = System.nanoTime() + START.toNanos();
      while (!output.toString().contains("Baton is ready for triggers")) {
        assertTrue(process.isAlive(), "baton dev ended before it was ready:\n" + output);
        assertTrue(
            System.nanoTime() < deadline, "baton dev not ready within " + START + ":\n" + output);
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }

    /** Starts {@code n} pipeline runs through the API; returns their ids. */
    List<String> startRuns(int n) throws Exception {
      HttpClient http = HttpClient.newHttpClient();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.http + "/api/runs"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"template\":\"pipeline\",\"params\":{\"source\":\"s" + i + "\"}}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        ids.add(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(r.body())
                .get("runId")
                .asText());
      }
      return ids;
    }

    void awaitSucceeded(String runId, Duration within) throws Exception {
      HttpClient client = HttpClient.newHttpClient();
      long deadline = System.nanoTime() + within.toNanos();
      while (true) {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + http + "/api/runs/" + runId))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200
            && "SUCCEEDED"
                .equals(
                    new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(r.body())
                        .path("status")
                        .asText())) {
          return;
        }
        assertTrue(
            System.nanoTime() < deadline,
            "run " + runId + " did not succeed within " + within + ": " + r.body() + "\n" + output);
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }

    void awaitOutput(String text, Duration within) throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      while (!output.toString().contains(text)) {
        assertTrue(
            System.nanoTime() < deadline, "no '" + text + "' within " + within + ":\n" + output);
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }

    void signal(String name) throws Exception {
      assertEquals(
          0,
          new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor());
    }
  }

  /** Whether this process ignores SIGINT (bit 1 of SigIgn in /proc/self/status). */
  static boolean sigintIgnored() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return false;
    }
    return Files.readAllLines(status).stream()
        .filter(l -> l.startsWith("SigIgn:"))
        .map(l -> Long.parseUnsignedLong(l.substring("SigIgn:".length()).trim(), 16))
        .anyMatch(mask -> (mask & 0b10) != 0);
  }

  static boolean awaitPortFree(int port, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (DevFiles.portFree(port)) {
        return true;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    return false;
  }

  /**
   * How long a stop may take. Alone it takes about 2 s (engine 0.85, broker 0.6, JVM exit 0.4);
   * beside the rest of the suite on 2 cores, up to 5. A stop that waits on a Kafka client's timeout
   * (30 s and more) is the fault this catches.
   */
  static final Duration STOP_LIMIT = Duration.ofSeconds(10);

  /** Seconds from the signal to the exit; fails if it takes more than {@code limit}. */
  static double stopWith(Dev dev, String signal, Duration limit) throws Exception {
    String before = dev.output.toString();
    long t0 = System.nanoTime();
    dev.signal(signal);
    boolean exited = dev.process.waitFor(limit.toMillis() + 10_000, TimeUnit.MILLISECONDS);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(exited, "baton dev did not exit after SIG" + signal + ":\n" + dev.output);
    String after = dev.output.substring(before.length());
    System.out.printf(
        "baton dev stopped by SIG%s in %.1f s; it printed:%n%s%n", signal, seconds, after);
    assertTrue(seconds <= limit.toSeconds(), "stopped in " + seconds + " s:\n" + after);
    assertFalse(after.contains("\tat "), "no stack trace:\n" + after);
    assertFalse(after.contains(" ERROR "), "no error:\n" + after);
    assertTrue(after.contains("stopped in"), after);
    return seconds;
  }

  @Test
  void interruptDuringRunsStopsInOrderQuicklyAndQuietly() throws Exception {
    Dev dev = new Dev(DevFiles.freePort());
    try {
      dev.awaitReady();
      assertTrue(dev.output.toString().contains("Ctrl-C stops everything"), dev.output.toString());
      String tenants =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + dev.http + "/api/tenants"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertTrue(tenants.contains("\"capacity\":4"), "its 4 job slots are shared: " + tenants);
      dev.startRuns(5);
      // Its Redis killed: dev starts it again on the same port, and the engine carries on.
      long redisPid =
          ProcessHandle.of(dev.process.pid())
              .orElseThrow()
              .descendants()
              // redis-server (on Debian a link to redis-check-rdb) rewrites its own command line:
              // match the binary.
              .filter(p -> p.info().command().orElse("").contains("redis"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no Redis process under baton dev"))
              .pid();
      assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(redisPid)).start().waitFor());
      dev.awaitOutput("baton dev: Redis is back", Duration.ofSeconds(20));
      String after = dev.startRuns(1).get(0);
      dev.awaitSucceeded(after, Duration.ofSeconds(90));
      dev.startRuns(3);
      stopWith(dev, "INT", STOP_LIMIT);
      assertTrue(awaitPortFree(dev.redis, Duration.ofSeconds(5)), "Redis stopped with it");
    } finally {
      dev.process.destroyForcibly();
    }
  }

  @Test
  void afterAKillNineNothingHoldsThePortAndTheNextStartCleansUp() throws Exception {
    int redisPort = DevFiles.freePort();
    Dev first = new Dev(redisPort);
    Dev second = null;
    try {
      first.awaitReady();
      long pid = first.process.pid();
      Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
      try (var dirs = Files.list(tmp)) {
        assertTrue(
            dirs.anyMatch(d -> d.getFileName().toString().startsWith("baton-dev-" + pid + "-")),
            "dev's work directory");
      }
      first.signal("KILL");
      first.process.waitFor(10, TimeUnit.SECONDS);
      assertTrue(awaitPortFree(redisPort, Duration.ofSeconds(10)), "its Redis did not outlive it");

      second = new Dev(redisPort);
      second.awaitReady();
      try (var dirs = Files.list(tmp)) {
        List<String> left =
            dirs.map(d -> d.getFileName().toString())
                .filter(
                    n ->
                        n.startsWith("baton-dev-" + pid + "-")
                            || n.startsWith("baton-kafka-" + pid + "-"))
                .toList();
        assertEquals(List.of(), left, "what the killed one left is cleaned at the next start");
      }
      stopWith(second, "TERM", STOP_LIMIT);
    } finally {
      first.process.destroyForcibly();
      if (second != null) {
        second.process.destroyForcibly();
      }
    }
  }

  @Test
  void devWithAvroSetWritesConfluentFramedAvroThroughTheRegistry() throws Exception {
    Dev dev =
        new Dev(
            DevFiles.freePort(),
            java.util.Map.of(
                "BATON_ENCODING", "avro", "BATON_REGISTRY_URL", TestRegistry.confluentApiUrl()));
    try {
      dev.awaitReady();
      assertTrue(dev.output.toString().contains("encoding          avro"), dev.output.toString());
      String runId = dev.startRuns(1).get(0);
      dev.awaitSucceeded(runId, Duration.ofSeconds(90));
      byte[] dispatch =
          new TopicReaderOnce("localhost:" + dev.kafka, "baton.dispatch")
              .values().stream()
                  .filter(v -> new String(v, StandardCharsets.ISO_8859_1).contains(runId))
                  .findFirst()
                  .orElseThrow();
      assertEquals(0, dispatch[0], "Confluent framing: magic byte 0, then the schema id");
      stopWith(dev, "TERM", STOP_LIMIT);
    } finally {
      dev.process.destroyForcibly();
    }
  }
}
