package dev.baton.engine.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Each row of the state machines is used by the decision tests: it runs them, then looks at what
 * they used.
 */
class TransitionCoverageTest {
  @Test
  void everyTransitionInTheTablesIsExercisedByTheTests() {
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    LauncherFactory.create()
        .execute(
            LauncherDiscoveryRequestBuilder.request()
                .selectors(
                    selectClass(DeciderTest.class),
                    selectClass(WorkflowSemanticsTest.class),
                    selectClass(RefusalTest.class),
                    selectClass(WaitsTest.class))
                .build(),
            summary);
    assertEquals(0, summary.getSummary().getTotalFailureCount(), "the decision tests pass");
    assertEquals(Set.of(), Sim.unused(), "transitions no test exercises");
  }
}
