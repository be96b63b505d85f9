package dev.baton.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.security.AttemptTokens;
import dev.baton.settings.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineConfigTest {
  static final String KEY = "0123456789abcdef0123456789abcdef";

  @TempDir Path dir;

  @Test
  void oneFileAndTheEnvironmentMakeTheWholeConfiguration() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "s3cret\n");
    Path file = dir.resolve("engine.env");
    Files.writeString(
        file,
        String.join(
            "\n",
            "BATON_BOOTSTRAP_SERVERS=kafka:9092",
            "BATON_TOPIC_PREFIX=orders",
            "BATON_COMMIT_INTERVAL_MS=25",
            "BATON_HTTP_PORT=8081",
            "BATON_HTTP_TOKEN_FILE=" + token,
            AttemptTokens.KEY_VARIABLE + "=" + KEY));
    EngineConfig c =
        EngineConfig.from(
            Settings.of(
                Map.of(Settings.FILE_VARIABLE, file.toString(), "BATON_HEALTH_PORT", "9000")));
    assertEquals("kafka:9092", c.bootstrapServers());
    assertEquals("orders.triggers", c.topics().triggers());
    assertEquals(Duration.ofMillis(25), c.commitInterval());
    assertEquals(9000, c.healthPort());
    assertEquals(new EngineConfig.Http("127.0.0.1", 8081, "s3cret"), c.http());
    assertEquals("redis://localhost:6379", c.redisUrl());
  }

  @Test
  void aBadValueNamesItsKeyAndTheApiIsOffWithoutAPort() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                EngineConfig.fromEnv(
                    Map.of(
                        "BATON_BOOTSTRAP_SERVERS",
                        "kafka:9092",
                        AttemptTokens.KEY_VARIABLE,
                        KEY,
                        "BATON_REPLICATION_FACTOR",
                        "three")));
    assertEquals("BATON_REPLICATION_FACTOR must be a whole number, got 'three'", e.getMessage());
    var missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> EngineConfig.fromEnv(Map.of(AttemptTokens.KEY_VARIABLE, KEY)));
    assertEquals("BATON_BOOTSTRAP_SERVERS is required", missing.getMessage());
    assertTrue(
        EngineConfig.fromEnv(
                Map.of(
                    "BATON_BOOTSTRAP_SERVERS",
                    "k:9092",
                    AttemptTokens.KEY_VARIABLE,
                    KEY,
                    "BATON_REDIS_URL",
                    "redis-cluster://r1:7000,r2:7000"))
            .redis()
            .cluster(),
        "the engine runs on a Redis Cluster");
    assertNull(
        EngineConfig.fromEnv(
                Map.of("BATON_BOOTSTRAP_SERVERS", "k:9092", AttemptTokens.KEY_VARIABLE, KEY))
            .http());
  }

  /** The engine's settings with a broker, the key and {@code more} (name, value, ...). */
  private static EngineConfig withTenancy(String... more) {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("BATON_BOOTSTRAP_SERVERS", "k:9092");
    env.put(AttemptTokens.KEY_VARIABLE, KEY);
    for (int i = 0; i + 1 < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return EngineConfig.fromEnv(env);
  }

  @Test
  void aBadTenantsFileOrJobCapacityStopsTheStartNamingTheVariableAndLine(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path file = dir.resolve("tenants.yaml");
    Files.writeString(file, "tenants:\n  ok: {weight: 2}\n  bad: {maxJobs: lots}\n");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> withTenancy("BATON_JOB_CAPACITY", "8", "BATON_TENANTS_FILE", file.toString()));
    assertTrue(e.getMessage().contains("BATON_TENANTS_FILE"), e.getMessage());
    assertTrue(e.getMessage().contains("tenants.yaml:3: tenants.bad.maxJobs"), e.getMessage());
    IllegalArgumentException negative =
        assertThrows(IllegalArgumentException.class, () -> withTenancy("BATON_JOB_CAPACITY", "-1"));
    assertTrue(negative.getMessage().contains("BATON_JOB_CAPACITY"), negative.getMessage());
    Files.writeString(file, "tenants:\n  ok: {weight: 2}\n");
    assertEquals(
        2,
        withTenancy("BATON_JOB_CAPACITY", "8", "BATON_TENANTS_FILE", file.toString())
            .tenancy()
            .share("ok")
            .weight());
  }

  @Test
  void runHistoryIsOnUnlessTurnedOffAndAnythingElseIsRefused() {
    assertTrue(withTenancy().runHistory());
    assertTrue(!withTenancy("BATON_RUN_HISTORY", "off").runHistory());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> withTenancy("BATON_RUN_HISTORY", "no"));
    assertTrue(e.getMessage().contains("BATON_RUN_HISTORY"), e.getMessage());
  }
}
