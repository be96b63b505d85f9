package dev.baton.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisSettingsTest {
  @TempDir Path dir;

  @Test
  void passwordFromAFileAndNeverInToStringOrDescribe() throws Exception {
    Path file = dir.resolve("pw");
    Files.writeString(file, "hunter2-from-file\n");
    RedisSettings s =
        RedisSettings.fromEnv(
            Map.of("BATON_REDIS_USERNAME", "baton", "BATON_REDIS_PASSWORD_FILE", file.toString()),
            "rediss://redis:6380");
    assertEquals("hunter2-from-file", s.password());
    assertEquals("rediss://redis:6380 as user 'baton'", s.describe());
    assertFalse(s.toString().contains("hunter2"), s.toString());
  }

  @Test
  void urlsWithAPasswordAreRedacted() {
    assertEquals(
        "redis://app:***@redis:6379", RedisSettings.redact("redis://app:s3cret@redis:6379"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RedisSettings.of("http://app:s3cret@redis:6379"));
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }

  @Test
  void aClientHasNoMoreEventLoopsThanConnectionsOrTwoPerCore() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertEquals(1, RedisSettings.of("redis://r:6379").config(1, 1).getNettyThreads());
    assertEquals(
        Math.min(64, 2 * cores),
        RedisSettings.of("redis://r:6379").config(2, 64).getNettyThreads());
    assertEquals(
        Math.min(4, 2 * cores),
        RedisSettings.of("redis-cluster://a:7000").config(1, 4).getNettyThreads());
  }

  @Test
  void sentinelAndClusterUrlsAreAccepted() {
    var config = RedisSettings.of("redis-sentinel://mymaster@s1:26379,s2:26379").config(1, 2);
    assertEquals("mymaster", config.useSentinelServers().getMasterName());
    assertEquals(2, config.useSentinelServers().getSentinelAddresses().size());
    assertEquals(
        org.redisson.config.ReadMode.MASTER,
        config.useSentinelServers().getReadMode(),
        "a replica may lag a save that a read must see");
    RedisSettings cluster = RedisSettings.of("rediss-cluster://a:7000, b:7000");
    assertTrue(cluster.cluster());
    assertEquals(
        List.of("rediss://a:7000", "rediss://b:7000"),
        cluster.config(1, 2).useClusterServers().getNodeAddresses());
    assertEquals(
        org.redisson.config.ReadMode.MASTER,
        cluster.config(1, 2).useClusterServers().getReadMode());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RedisSettings.of("redis-cluster://").config(1, 2));
    assertTrue(e.getMessage().contains("at least one node"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RedisSettings.of("cluster://a:1"));
    assertTrue(e.getMessage().contains("redis-cluster://host:port"), e.getMessage());
  }

  @Test
  void servicesRetryAndACommandLineReadDoesNot() {
    RedisSettings service = RedisSettings.of("redis://r:6379");
    assertEquals(
        RedisSettings.SERVICE_RETRIES, service.config(1, 2).useSingleServer().getRetryAttempts());
    RedisSettings once = service.withCredentials("u", "p").withRetries(0);
    assertEquals(0, once.config(1, 2).useSingleServer().getRetryAttempts());
    assertEquals("u", once.username(), "the other settings stay");
    assertEquals(
        0,
        RedisSettings.of("redis-cluster://a:7000")
            .withRetries(0)
            .config(1, 2)
            .useClusterServers()
            .getRetryAttempts());
  }
}
