package dev.baton.dispatcher.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.CompletionStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodOutcomeTest {
  static Pod terminated(String phase, int exit, String reason, String message) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .endMetadata()
        .withNewStatus()
        .withPhase(phase)
        .addNewContainerStatus()
        .withName("job")
        .withNewState()
        .withNewTerminated()
        .withExitCode(exit)
        .withReason(reason)
        .withMessage(message)
        .endTerminated()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  @Test
  void oomKilledIsAFailureWithItsReason() {
    PodOutcome.Ended e = PodOutcome.of(terminated("Failed", 137, "OOMKilled", null));
    assertEquals(CompletionStatus.FAILED, e.status());
    assertEquals(137, e.exitCode());
    assertEquals("OOMKilled (exit code 137)", e.error());
  }

  @Test
  void successReadsOutputsFromAJsonTerminationMessage() {
    PodOutcome.Ended e =
        PodOutcome.of(terminated("Succeeded", 0, "Completed", "{\"rows\": 42, \"ok\": true}"));
    assertEquals(CompletionStatus.SUCCEEDED, e.status());
    assertEquals(Map.of("rows", "42", "ok", "true"), e.outputs());
  }

  @Test
  void deadlineExceededIsATimeoutAndEvictionIsLost() {
    Pod deadline =
        new PodBuilder()
            .withNewStatus()
            .withPhase("Failed")
            .withReason("DeadlineExceeded")
            .withMessage("too slow")
            .endStatus()
            .build();
    assertEquals(CompletionStatus.TIMED_OUT, PodOutcome.of(deadline).status());
    Pod evicted =
        new PodBuilder()
            .withNewStatus()
            .withPhase("Failed")
            .withReason("Evicted")
            .withMessage("node out of disk")
            .endStatus()
            .build();
    PodOutcome.Ended e = PodOutcome.of(evicted);
    assertEquals(CompletionStatus.UNKNOWN, e.status());
    assertEquals("Evicted: node out of disk", e.error());
  }

  @Test
  void imageThatDoesNotPullIsAProblemOnlyAfterTheTimeout() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withCreationTimestamp("2026-01-01T00:00:00Z")
            .endMetadata()
            .withNewStatus()
            .withPhase("Pending")
            .addNewContainerStatus()
            .withName("job")
            .withImage("nope:1")
            .withNewState()
            .withNewWaiting()
            .withReason("ImagePullBackOff")
            .withMessage("not found")
            .endWaiting()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    Instant created = Instant.parse("2026-01-01T00:00:00Z");
    assertTrue(
        PodOutcome.imageProblem(pod, created.plusSeconds(30), Duration.ofMinutes(1)).isEmpty());
    assertEquals(
        "image nope:1 cannot be pulled: ImagePullBackOff (not found)",
        PodOutcome.imageProblem(pod, created.plusSeconds(61), Duration.ofMinutes(1)).orElseThrow());
  }
}
