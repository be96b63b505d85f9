package dev.baton.it;

import org.junit.jupiter.api.BeforeAll;

/** {@link WorkflowSemanticsCases} with the engine's state on the shared Redis server. */
class WorkflowSemanticsIT extends WorkflowSemanticsCases {
  @BeforeAll
  static void startBaton() throws Exception {
    startBaton("wf", SharedBroker.redisUrl());
  }
}
