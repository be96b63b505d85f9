package dev.baton.it;

import org.junit.jupiter.api.BeforeAll;

/**
 * {@link CompositionCases} with the engine's state on a Redis Cluster of 3 masters with a replica
 * each: a parent, its children and the cached results live in different slots.
 */
class CompositionClusterIT extends CompositionCases {
  @BeforeAll
  static void startBaton() throws Exception {
    startBaton("composec", SharedBroker.redisClusterUrl());
  }
}
