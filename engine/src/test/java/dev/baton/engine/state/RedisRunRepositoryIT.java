package dev.baton.engine.state;

import dev.baton.redis.RedisServerProcess;
import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;

/** {@link RedisRunRepositoryCases} on one Redis server. */
class RedisRunRepositoryIT extends RedisRunRepositoryCases {
  @BeforeAll
  static void connect() throws IOException {
    RedisServerProcess single = RedisServerProcess.start(freePort());
    server = single;
    open(single.url());
  }
}
