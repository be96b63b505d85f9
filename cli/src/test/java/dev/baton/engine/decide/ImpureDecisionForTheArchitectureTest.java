package dev.baton.engine.decide;

/**
 * Breaks the purity rule on purpose: ArchitectureTest shows that the rule catches it. Never used.
 */
public final class ImpureDecisionForTheArchitectureTest {
  private ImpureDecisionForTheArchitectureTest() {}

  static long decideWithTheWallClock(
      org.apache.kafka.clients.producer.Producer<String, String> sideEffect) {
    return sideEffect == null ? System.currentTimeMillis() : 0;
  }
}
