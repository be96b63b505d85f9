package dev.baton.engine.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** Runs after every other test class (junit-platform.properties orders classes): each row of the state machines was used. */
@Order(Integer.MAX_VALUE)
class TransitionCoverageTest {
  @Test
  void everyTransitionInTheTablesIsExercisedByTheTests() {
    assertEquals(Set.of(), Sim.unused(), "transitions no test exercises");
  }
}
