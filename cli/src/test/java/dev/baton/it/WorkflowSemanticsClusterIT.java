package dev.baton.it;

import org.junit.jupiter.api.BeforeAll;

/**
 * {@link WorkflowSemanticsCases} with the engine's state on a Redis Cluster of 3 masters with a
 * replica each (real redis-server processes, created by redis-cli).
 */
class WorkflowSemanticsClusterIT extends WorkflowSemanticsCases {
  @BeforeAll
  static void startBaton() throws Exception {
    startBaton("wfc", SharedBroker.redisClusterUrl());
  }
}
