package dev.baton.it;

import org.junit.jupiter.api.BeforeAll;

/** {@link TriggerRulesCases} with the engine's state on the shared Redis server. */
class TriggerRulesIT extends TriggerRulesCases {
  @BeforeAll
  static void startBaton() throws Exception {
    startBaton("rules", SharedBroker.redisUrl());
  }
}
