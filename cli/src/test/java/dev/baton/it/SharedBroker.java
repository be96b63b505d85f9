package dev.baton.it;

import dev.baton.cli.dev.DevFiles;
import dev.baton.redis.RedisServerProcess;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One real KRaft broker and one real Redis server for every IT class of a test JVM (failsafe runs
 * three JVMs, each with its own), stopped when the JVM exits.
 */
final class SharedBroker {
  private static KafkaClusterTestKit cluster;
  private static RedisServerProcess redis;
  private static dev.baton.redis.RedisClusterProcess redisCluster;

  private SharedBroker() {}

  /**
   * What Kafka asked to run at JVM exit (the test kit's deletion of its log directories): run by
   * this class's own hook once the broker has stopped. Run by the JVM beside that hook, the
   * deletion raced the broker's shutdown, which then found its logs gone, failed its log directory
   * and halted the JVM with status 1 after every test had passed (failsafe: "Error occurred in
   * starting fork").
   */
  private static final List<Runnable> AFTER_CLOSE = new CopyOnWriteArrayList<>();

  static synchronized String bootstrapServers() {
    if (cluster == null) {
      Exit.setShutdownHookAdder((name, hook) -> AFTER_CLOSE.add(hook));
      try {
        cluster =
            new KafkaClusterTestKit.Builder(
                    new TestKitNodes.Builder()
                        .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "3")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "3")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the test broker", e);
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      cluster.close();
                    } catch (Exception e) {
                      // the JVM is exiting
                    }
                    AFTER_CLOSE.forEach(Runnable::run);
                  }));
    }
    return cluster.bootstrapServers();
  }

  static synchronized String redisUrl() {
    if (redis == null) {
      try {
        redis = RedisServerProcess.start(DevFiles.freePort());
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the test Redis server", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(redis::close));
    }
    return redis.url();
  }

  /** A Redis Cluster of 3 masters with a replica each, for the tests that run Baton on one. */
  static synchronized String redisClusterUrl() {
    if (redisCluster == null) {
      try {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("baton-test-cluster");
        redisCluster = dev.baton.redis.RedisClusterProcess.start(dir, 3, 1, DevFiles::freePort);
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      redisCluster.close();
                      try (var files = java.nio.file.Files.walk(dir)) {
                        files
                            .sorted(java.util.Comparator.reverseOrder())
                            .forEach(f -> f.toFile().delete());
                      } catch (java.io.IOException e) {
                        // the JVM is exiting; the temporary directory stays
                      }
                    }));
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the test Redis Cluster", e);
      }
    }
    return redisCluster.url();
  }
}
