package dev.baton.it;

import org.junit.jupiter.api.BeforeAll;

/**
 * {@link TriggerRulesCases} with the engine's state on a Redis Cluster of 3 masters with a replica
 * each.
 */
class TriggerRulesClusterIT extends TriggerRulesCases {
  @BeforeAll
  static void startBaton() throws Exception {
    startBaton("rulesc", SharedBroker.redisClusterUrl());
  }
}
