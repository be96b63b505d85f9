package dev.baton.it;

import org.junit.jupiter.api.BeforeAll;

/** {@link CompositionCases} with the engine's state on the shared Redis server. */
class CompositionIT extends CompositionCases {
  @BeforeAll
  static void startBaton() throws Exception {
    startBaton("compose", SharedBroker.redisUrl());
  }
}
