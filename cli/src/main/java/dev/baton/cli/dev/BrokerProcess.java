package dev.baton.cli.dev;

import java.io.IOException;
import java.io.Writer;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft broker in its own JVM, from Baton's own classpath; its log directory under
 * {@code work}.
 */
public final class BrokerProcess {
  private BrokerProcess() {}

  /**
   * Formats the log directory (once) and starts the broker; returns when it listens on {@code
   * kafkaPort}.
   */
  public static ChildProcess start(Path work, int kafkaPort, int controllerPort) throws Exception {
    return start(
        work,
        EmbeddedKafka.serverProperties(kafkaPort, controllerPort, work.resolve("kafka")),
        kafkaPort,
        List.of());
  }

  /**
   * A broker with these server properties (their {@code log.dirs} under {@code work}); {@code
   * formatArgs} go to the storage tool's format, e.g. {@code --add-scram
   * SCRAM-SHA-512=[name=...,password=...]}.
   */
  public static ChildProcess start(
      Path work, Properties server, int kafkaPort, List<String> formatArgs) throws Exception {
    Files.createDirectories(Path.of(server.getProperty("log.dirs")));
    Path config = work.resolve("server.properties");
    if (!Files.exists(config)) {
      try (Writer w = Files.newBufferedWriter(config)) {
        server.store(w, "baton broker");
      }
      List<String> format = new ArrayList<>(ChildProcess.java("kafka.tools.StorageTool"));
      format.addAll(
          List.of(
              "format",
              "-t",
              Uuid.randomUuid().toString(),
              "-c",
              config.toString(),
              "--standalone"));
      format.addAll(formatArgs);
      Process f =
          new ProcessBuilder(format)
              .redirectErrorStream(true)
              .redirectOutput(work.resolve("format.log").toFile())
              .start();
      if (!f.waitFor(120, TimeUnit.SECONDS) || f.exitValue() != 0) {
        throw new IllegalStateException(
            "formatting the broker's log directory failed; see " + work.resolve("format.log"));
      }
    }
    List<String> command = new ArrayList<>(ChildProcess.java("kafka.Kafka"));
    command.add(config.toString());
    ChildProcess broker =
        new ChildProcess("broker", command, Map.of(), work.resolve("broker.log")).start();
    awaitPort(kafkaPort, Duration.ofSeconds(90));
    return broker;
  }

  public static void awaitPort(int port, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        new Socket("localhost", port).close();
        return;
      } catch (IOException e) {
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
    throw new IllegalStateException(
        "nothing listens on port " + port + " after " + timeout.toSeconds() + " s");
  }
}
