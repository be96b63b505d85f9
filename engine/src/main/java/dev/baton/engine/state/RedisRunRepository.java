package dev.baton.engine.state;

import dev.baton.engine.decide.RunState;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.redisson.Redisson;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * Run state in Redis (design §5). Keys of one run share the hash tag {@code {runId}}:
 * <ul>
 *   <li>{@code baton:run:{id}} — hash: {@code version}, {@code state} (JSON)</li>
 *   <li>{@code baton:run:{id}:applied} — hash: event id → {@link AppliedEvent} (JSON)</li>
 *   <li>{@code baton:run:{id}:applied-order} — list of applied ids, oldest first, to bound the hash</li>
 * </ul>
 * Load and save are each one Lua script, so one event costs two round trips.
 */
public final class RedisRunRepository implements RunRepository {
  private static final String LOAD = """
      local v = redis.call('HMGET', KEYS[1], 'version', 'state')
      local applied = redis.call('HGET', KEYS[2], ARGV[1])
      return {v[1] or '0', v[2] or '', applied or ''}
      """;

  // A compare-and-set on version; state, applied id and produced records in one atomic step.
  private static final String SAVE = """
      local current = redis.call('HGET', KEYS[1], 'version') or '0'
      if current ~= ARGV[1] then return 0 end
      redis.call('HSET', KEYS[1], 'version', tostring(tonumber(ARGV[1]) + 1), 'state', ARGV[2])
      redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
      redis.call('RPUSH', KEYS[3], ARGV[3])
      local excess = redis.call('LLEN', KEYS[3]) - tonumber(ARGV[5])
      for i = 1, excess do
        redis.call('HDEL', KEYS[2], redis.call('LPOP', KEYS[3]))
      end
      local ttl = tonumber(ARGV[6])
      if ttl > 0 then
        for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ttl) end
      end
      return 1
      """;

  private final RedissonClient redisson;
  private final RScript script;
  private final int maxAppliedIds;
  private final Duration finishedRetention;

  public RedisRunRepository(String redisUrl, int maxAppliedIds, Duration finishedRetention) {
    Config config = new Config();
    config.useSingleServer().setAddress(redisUrl).setConnectionMinimumIdleSize(2).setConnectionPoolSize(8);
    config.setCodec(StringCodec.INSTANCE);
    this.redisson = Redisson.create(config);
    this.script = redisson.getScript(StringCodec.INSTANCE);
    this.maxAppliedIds = maxAppliedIds;
    this.finishedRetention = finishedRetention;
  }

  public static String runKey(String runId) {
    return "baton:run:{" + runId + "}";
  }

  @Override
  public StoredRun load(String runId, String eventId) {
    List<Object> result = script.eval(RScript.Mode.READ_ONLY, LOAD, RScript.ReturnType.LIST,
        keys(runId), eventId);
    long version = Long.parseLong(result.get(0).toString());
    String stateJson = result.get(1).toString();
    String appliedJson = result.get(2).toString();
    return new StoredRun(
        stateJson.isEmpty() ? null : StateJson.readState(stateJson),
        version,
        appliedJson.isEmpty() ? null : StateJson.read(appliedJson, AppliedEvent.class));
  }

  @Override
  public boolean save(String runId, long expectedVersion, RunState state, String eventId, AppliedEvent applied) {
    long ttl = state.status().isFinal() ? finishedRetention.toSeconds() : 0;
    Long ok = script.eval(RScript.Mode.READ_WRITE, SAVE, RScript.ReturnType.LONG, keys(runId),
        Long.toString(expectedVersion), StateJson.write(state), eventId, StateJson.write(applied),
        Integer.toString(maxAppliedIds), Long.toString(ttl));
    return ok != null && ok == 1L;
  }

  @Override
  public Optional<RunState> find(String runId) {
    String json = redisson.<String, String>getMap(runKey(runId), StringCodec.INSTANCE).get("state");
    return Optional.ofNullable(json).map(StateJson::readState);
  }

  private static List<Object> keys(String runId) {
    String run = runKey(runId);
    return Arrays.asList(run, run + ":applied", run + ":applied-order");
  }

  @Override
  public void close() {
    redisson.shutdown();
  }
}
