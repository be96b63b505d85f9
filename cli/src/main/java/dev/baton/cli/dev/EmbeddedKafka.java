package dev.baton.cli.dev;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool$;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node KRaft broker (broker and controller in one) inside this JVM, for {@code baton dev}.
 * Its log directory is fresh on every start and deleted on close.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final int port;
  private final Path logDir;
  private final KafkaRaftServer server;

  private EmbeddedKafka(int port, Path logDir, KafkaRaftServer server) {
    this.port = port;
    this.logDir = logDir;
    this.server = server;
  }

  public static EmbeddedKafka start(int port, int controllerPort) throws IOException {
    Path logDir = DevFiles.ownedTempDirectory("baton-kafka-");
    Properties p = serverProperties(port, controllerPort, logDir);
    Path config = logDir.resolve("server.properties");
    try (Writer w = Files.newBufferedWriter(config)) {
      p.store(w, "baton dev");
    }
    format(config);
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
    server.startup();
    return new EmbeddedKafka(port, logDir, server);
  }

  /**
   * A single-node KRaft broker (broker and controller in one) on localhost, replication factors 1.
   */
  public static Properties serverProperties(int port, int controllerPort, Path logDir) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.bootstrap.servers", "localhost:" + controllerPort);
    p.put(
        "listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    p.put("num.partitions", "3");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "3");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "3");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    return p;
  }

  private static void format(Path config) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc =
        StorageTool$.MODULE$.execute(
            new String[] {
              "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString(), "--standalone"
            },
            new PrintStream(out, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IllegalStateException(
          "cannot format the Kafka log directory: " + out.toString(StandardCharsets.UTF_8));
    }
  }

  public String bootstrapServers() {
    return "localhost:" + port;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    DevFiles.deleteTree(logDir);
  }
}
