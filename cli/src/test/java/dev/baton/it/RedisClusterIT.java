package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.dev.DevFiles;
import dev.baton.dispatcher.AttemptStarts;
import dev.baton.redis.RedisClusterProcess;
import dev.baton.redis.RedisServerProcess;
import dev.baton.redis.RedisSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Redis Cluster (3 masters, a replica each, Debian's redis-server): what runs on it today —
 * the dispatchers' attempt claims, across a master's failover — and the errors of a cluster URL
 * that names no cluster. Its own cluster, not the suite's shared one: it kills a master.
 */
class RedisClusterIT {
  @TempDir static Path work;
  static RedisClusterProcess cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = RedisClusterProcess.start(work, 3, 1, DevFiles::freePort);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void attemptClaimsHoldOnTheClusterAcrossAMasterFailover() throws Exception {
    int n = 300;
    try (AttemptStarts claims =
        AttemptStarts.redis(RedisSettings.of(cluster.url()), Duration.ofMinutes(10))) {
      for (int i = 0; i < n; i++) {
        assertTrue(claims.claim("run-" + i + "/job/1"), "first claim of run-" + i);
      }
      cluster.awaitReplicated(Duration.ofSeconds(60));
      assertEquals(3, cluster.masters().size());
      int victim = cluster.masters().get(0);
      cluster.kill(victim);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> cluster.masters().size() == 3 && !cluster.masters().contains(victim));
      cluster.awaitState("ok", Duration.ofSeconds(30));
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> claims.claim("after-failover/job/1"));
      for (int i = 0; i < n; i++) {
        assertFalse(
            claimWhenReachable(claims, "run-" + i + "/job/1"), "run-" + i + " stays claimed");
      }
    }
  }

  /**
   * The claim's answer. Until the client refreshes its view of every slot, a key of the dead
   * master's slots can still go to the dead node: refused connections (the command was never sent)
   * are tried again; any other error fails the test.
   */
  private static boolean claimWhenReachable(AttemptStarts claims, String attemptId) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptionsMatching(RedisClusterIT::connectionRefused)
        .until(() -> claims.claim(attemptId), claimed -> true);
  }

  private static boolean connectionRefused(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.net.ConnectException) {
        return true;
      }
      for (Throwable s : c.getSuppressed()) {
        if (connectionRefused(s)) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void aClusterUrlThatNamesNoClusterIsAClearError() throws Exception {
    try (RedisServerProcess plain = RedisServerProcess.start(DevFiles.freePort())) {
      String notACluster =
          "redis-cluster://127.0.0.1:" + plain.url().substring(plain.url().lastIndexOf(':') + 1);
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> RedisSettings.of(notACluster).connect(1, 2).shutdown());
      assertTrue(
          e.getMessage()
              .startsWith(
                  "cannot connect to Redis at "
                      + notACluster
                      + " (BATON_REDIS_URL): it is not a Redis Cluster"),
          e.getMessage());
    }
    String nobody = "redis-cluster://127.0.0.1:" + DevFiles.freePort();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> RedisSettings.of(nobody).connect(1, 2).shutdown());
    assertTrue(
        e.getMessage().startsWith("cannot connect to Redis at " + nobody + " (BATON_REDIS_URL): "),
        e.getMessage());
  }
}
