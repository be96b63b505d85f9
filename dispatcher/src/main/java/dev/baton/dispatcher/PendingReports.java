package dev.baton.dispatcher;

import dev.baton.redis.RedisSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.redisson.api.RMap;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Reports the dispatcher made and Kafka has not taken yet, kept until it has: in Redis when the
 * dispatcher has one, so a dispatcher restarted while Kafka was away finds and sends them; in
 * memory otherwise. Each is kept as its unsigned JSON under its report id; a report is small (its
 * tails are bounded), and reports pile up only while Kafka refuses them.
 */
public interface PendingReports extends AutoCloseable {

  /** Keeps {@code json} under {@code id} until {@link #written}. */
  void keep(String id, String json);

  /** The report {@code id} is in Kafka. */
  void written(String id);

  /** Every report kept, by id. */
  Map<String, String> all();

  @Override
  void close();

  static PendingReports inMemory() {
    Map<String, String> kept = new ConcurrentHashMap<>();
    return new PendingReports() {
      @Override
      public void keep(String id, String json) {
        kept.put(id, json);
      }

      @Override
      public void written(String id) {
        kept.remove(id);
      }

      @Override
      public Map<String, String> all() {
        return new LinkedHashMap<>(kept);
      }

      @Override
      public void close() {}
    };
  }

  /** Kept in the hash {@code baton:reports:{<group>}}: the dispatchers of one group share it. */
  static PendingReports redis(RedisSettings settings, String group) {
    RedissonClient redisson = settings.connect(1, 2);
    RMap<String, String> kept =
        redisson.getMap("baton:reports:{" + group + "}", StringCodec.INSTANCE);
    return new PendingReports() {
      @Override
      public void keep(String id, String json) {
        kept.fastPut(id, json);
      }

      @Override
      public void written(String id) {
        kept.fastRemove(id);
      }

      @Override
      public Map<String, String> all() {
        return new LinkedHashMap<>(kept.readAllMap());
      }

      @Override
      public void close() {
        redisson.shutdown();
      }
    };
  }
}
