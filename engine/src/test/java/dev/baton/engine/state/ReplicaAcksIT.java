package dev.baton.engine.state;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.baton.redis.RedisServerProcess;
import dev.baton.redis.RedisSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saves that must reach a replica ({@code BATON_REDIS_REPLICA_ACKS}): with a replica they pass,
 * without one they fail within the timeout instead of going on unprotected. Real redis-server
 * processes: a master and a replica of it.
 */
class ReplicaAcksIT {
  static int freePort() throws IOException {
    try (ServerSocket free = new ServerSocket(0)) {
      return free.getLocalPort();
    }
  }

  static SaveRequest request(String runId, long version, String eventId) {
    return new SaveRequest(
        runId,
        version,
        RedisRunRepositoryCases.state(runId, dev.baton.engine.decide.RunStatus.RUNNING),
        true,
        Map.of(),
        eventId,
        RedisRunRepositoryCases.applied(version + 1),
        List.of(),
        List.of(),
        0,
        SaveRequest.Admission.NONE,
        0);
  }

  static String replicationInfo(RedisServerProcess server) throws IOException {
    String port = server.url().substring(server.url().lastIndexOf(':') + 1);
    Process p =
        new ProcessBuilder("redis-cli", "-p", port, "INFO", "replication")
            .redirectErrorStream(true)
            .start();
    return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void aSaveWaitsForItsReplicaAndFailsWhenThereIsNone(@TempDir Path dir) throws Exception {
    int masterPort = freePort();
    // Each in its own directory: a full resync writes an RDB file there.
    try (RedisServerProcess master =
        RedisServerProcess.start(masterPort, null, List.of("--dir", dir.toString()))) {
      Path replicaDir = Files.createDirectories(dir.resolve("replica"));
      RedisServerProcess replica =
          RedisServerProcess.start(
              freePort(),
              null,
              List.of(
                  "--replicaof",
                  "127.0.0.1",
                  Integer.toString(masterPort),
                  "--dir",
                  replicaDir.toString()));
      try (RedisRunRepository runs =
          new RedisRunRepository(
              RedisSettings.of(master.url()),
              "acks-it",
              3,
              Duration.ofMinutes(10),
              new ReplicaAcks(1, Duration.ofMillis(500)))) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> replicationInfo(replica).contains("master_link_status:up"));
        assertEquals(SaveResult.SAVED, runs.save(request("acked", 0, "e1")));
        assertEquals(
            List.of(SaveResult.SAVED, SaveResult.SAVED),
            runs.saveAll(List.of(request("acked-2", 0, "e2"), request("acked-3", 0, "e3"))));
        runs.awaitReplicas();
        replica.close();
        assertEquals(SaveResult.SAVED, runs.save(request("unacked", 0, "e4")));
        long begin = System.nanoTime();
        var e = assertThrows(org.redisson.client.RedisTimeoutException.class, runs::awaitReplicas);
        org.junit.jupiter.api.Assertions.assertTrue(
            e.getMessage().contains("0 of 1 within 500 ms (BATON_REDIS_REPLICA_ACKS)"),
            e.getMessage());
        long millis = (System.nanoTime() - begin) / 1_000_000;
        org.junit.jupiter.api.Assertions.assertTrue(
            millis < 10_000, "failed within the timeout and Redisson's retries: " + millis + " ms");
      } finally {
        replica.close();
      }
    }
  }
}
