package dev.baton.engine.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.engine.decide.RunStatus;
import dev.baton.redis.RedisServerProcess;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.client.RedisNoScriptException;
import org.redisson.client.codec.StringCodec;

/** {@link RedisRunRepositoryCases} on one Redis server. */
class RedisRunRepositoryIT extends RedisRunRepositoryCases {
  @BeforeAll
  static void connect() throws IOException {
    RedisServerProcess single = RedisServerProcess.start(freePort());
    server = single;
    open(single.url());
  }

  /**
   * A Redis that forgot the engine's scripts (restarted empty): a pipeline calls them by SHA, fails
   * once, and the scripts are loaded again, so the batch applied again works (it used to fail
   * forever, and `baton dev` stopped applying runs after its Redis restarted).
   */
  @Test
  void aPipelineAfterRedisForgotTheScriptsWorksWhenAppliedAgain() {
    runs.saveAll(
        List.of(
            request("noscript-1", 0, RunStatus.RUNNING, "e1"),
            request("noscript-2", 0, RunStatus.RUNNING, "e1")));
    redis.getScript(StringCodec.INSTANCE).scriptFlush();
    List<SaveRequest> next =
        List.of(
            request("noscript-1", 1, RunStatus.SUCCEEDED, "e2"),
            request("noscript-2", 1, RunStatus.SUCCEEDED, "e2"));
    List<SaveResult> results;
    try {
      results = runs.saveAll(next);
    } catch (RedisNoScriptException e) {
      results = runs.saveAll(next); // as a replaced stream thread applies the batch again
    }
    assertEquals(List.of(SaveResult.SAVED, SaveResult.SAVED), results);
    assertEquals(RunStatus.SUCCEEDED, runs.find("noscript-2").orElseThrow().status());
  }
}
