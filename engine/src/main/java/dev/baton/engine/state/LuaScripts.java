package dev.baton.engine.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.redisson.api.BatchResult;
import org.redisson.api.RBatch;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisNoScriptException;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis scripts of the run repository, kept as {@code .lua} files beside this class; every
 * script read is remembered, so that a Redis that lost its script cache (restarted empty) gets them
 * again.
 */
final class LuaScripts {
  private static final Logger LOG = LoggerFactory.getLogger(LuaScripts.class);
  private static final Map<String, String> READ = new ConcurrentHashMap<>();

  private LuaScripts() {}

  static String read(String name) {
    try (InputStream in = LuaScripts.class.getResourceAsStream(name + ".lua")) {
      if (in == null) {
        throw new IllegalStateException(
            "script " + name + ".lua is missing from the engine's resources");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      READ.put(name, text);
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Executes {@code batch}. A pipelined script is called by its SHA and, unlike a lone call, not
   * sent again as text when Redis does not know it (a Redis restarted empty): then every script
   * read is loaded into Redis before the error goes up, so the batch, applied again, finds them.
   */
  static BatchResult<?> execute(RedissonClient redisson, RBatch batch) {
    try {
      return batch.execute();
    } catch (RedisNoScriptException e) {
      LOG.warn("Redis does not know the engine's scripts (restarted empty?): loading them again");
      var script = redisson.getScript(StringCodec.INSTANCE);
      READ.values().forEach(script::scriptLoad);
      throw e;
    }
  }
}
