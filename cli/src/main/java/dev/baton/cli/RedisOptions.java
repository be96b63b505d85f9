package dev.baton.cli;

import dev.baton.engine.state.RedisRunRepository;
import dev.baton.redis.RedisSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --redis}: the Redis that holds run state, for commands that read it. User, password and
 * TLS come from the same {@code BATON_REDIS_*} variables as the engine's.
 */
final class RedisOptions {
  @Option(
      names = "--redis",
      defaultValue = "${env:BATON_REDIS_URL:-redis://127.0.0.1:6379}",
      paramLabel = "URL",
      description =
          "Redis holding run state (default: $BATON_REDIS_URL, else redis://127.0.0.1:6379)")
  String redisUrl;

  /**
   * The runs of the engine whose application id is {@code keyspace}, for reading. A command reads
   * once: when Redis is not there it says so at once rather than after the engine's retries.
   */
  RedisRunRepository open(String keyspace) {
    return new RedisRunRepository(
        RedisSettings.fromEnv(System.getenv(), redisUrl).withRetries(0),
        keyspace,
        1,
        Duration.ZERO);
  }
}
