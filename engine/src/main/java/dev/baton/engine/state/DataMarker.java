package dev.baton.engine.state;

import java.time.Instant;
import java.util.UUID;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Whether Redis still holds its data: a mark the engines leave in the keyspace, gone when Redis
 * restarted empty.
 */
final class DataMarker {
  private final RedissonClient redisson;
  private final String keyspace;

  DataMarker(RedissonClient redisson, String keyspace) {
    this.redisson = redisson;
    this.keyspace = keyspace;
  }

  /** A value this engine put in Redis, to see whether Redis still holds its data. */
  private volatile String marker;

  private volatile Instant dataLostAt;

  /** Whether Redis still holds the mark this engine saw (false once: it lost its data). */
  boolean keptItsData() {
    var bucket =
        redisson.<String>getBucket("baton:marker:{" + keyspace + "}", StringCodec.INSTANCE);
    String seen = bucket.get();
    if (marker == null) {
      // First look: adopt what the engines before left, or leave a mark.
      String mine = UUID.randomUUID().toString();
      marker = seen != null ? seen : bucket.setIfAbsent(mine) ? mine : bucket.get();
      return true;
    }
    if (marker.equals(seen)) {
      return true;
    }
    // The mark is gone (Redis restarted empty) or was left anew by another engine that saw it gone.
    String mine = UUID.randomUUID().toString();
    marker = bucket.setIfAbsent(mine) ? mine : bucket.get();
    dataLostAt = Instant.now();
    return false;
  }

  /** When Redis was seen to have lost its data; null: never. */
  Instant dataLostAt() {
    return dataLostAt;
  }
}
