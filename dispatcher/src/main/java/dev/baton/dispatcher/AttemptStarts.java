package dev.baton.dispatcher;

import dev.baton.concurrent.RecentSet;
import dev.baton.redis.AttemptClaims;
import dev.baton.redis.RedisSettings;
import java.time.Duration;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Which attempts were started already, so a dispatch redelivered after a dispatcher crash (its
 * offset not yet committed) does not run the same attempt twice. In Redis ({@code SET
 * baton:attempt:{id} NX}, kept a week) when the dispatcher has one, shared by every dispatcher; in
 * memory otherwise. An attempt lost with a crashed dispatcher is not run again here: the engine's
 * job timeout fails it, and its retry is a new attempt.
 */
public interface AttemptStarts extends AutoCloseable {

  /** True the first time {@code attemptId} is claimed, by anyone; false ever after. */
  boolean claim(String attemptId);

  /** Gives a claim back: the runtime could not start the attempt, so its redelivery may. */
  void release(String attemptId);

  /** The engine stopped the attempt before any dispatcher started it (its run ended). */
  default boolean stoppedBeforeStart(String attemptId) {
    return false;
  }

  @Override
  void close();

  /** Claims kept a week, at most 1,000,000 (the oldest forgotten first), as in Redis. */
  static AttemptStarts inMemory() {
    RecentSet started = new RecentSet(Duration.ofDays(7), 1_000_000);
    return new AttemptStarts() {
      @Override
      public boolean claim(String attemptId) {
        return started.add(attemptId);
      }

      @Override
      public void release(String attemptId) {
        started.remove(attemptId);
      }

      @Override
      public void close() {}
    };
  }

  static AttemptStarts redis(RedisSettings settings, Duration keep) {
    RedissonClient redisson = settings.connect(1, 4);
    return new AttemptStarts() {
      @Override
      public boolean claim(String attemptId) {
        return redisson
            .<String>getBucket(key(attemptId), StringCodec.INSTANCE)
            .setIfAbsent(AttemptClaims.STARTED, keep);
      }

      @Override
      public void release(String attemptId) {
        redisson.getBucket(key(attemptId), StringCodec.INSTANCE).delete();
      }

      @Override
      public boolean stoppedBeforeStart(String attemptId) {
        return AttemptClaims.STOPPED.equals(
            redisson.<String>getBucket(key(attemptId), StringCodec.INSTANCE).get());
      }

      private String key(String attemptId) {
        return AttemptClaims.key(attemptId);
      }

      @Override
      public void close() {
        redisson.shutdown();
      }
    };
  }
}
