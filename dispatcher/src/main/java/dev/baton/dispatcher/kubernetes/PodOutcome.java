package dev.baton.dispatcher.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.dispatcher.local.OutputsFile;
import dev.baton.events.CompletionStatus;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a pod's status says about its job (pure): finished or not, and if so how — the container's
 * exit code and reason (OOMKilled, Error), the pod's reason (DeadlineExceeded, Evicted), outputs
 * from a JSON termination message, or an image that will not pull.
 */
public final class PodOutcome {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> IMAGE_PROBLEMS =
      Set.of(
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName",
          "ErrImageNeverPull",
          "CreateContainerConfigError");

  /** How the job ended, by the pod's account. */
  public record Ended(
      CompletionStatus status, Integer exitCode, Map<String, String> outputs, String error) {}

  private PodOutcome() {}

  public static boolean finished(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  public static Ended of(Pod pod) {
    var status = pod.getStatus();
    ContainerStateTerminated terminated =
        container(pod)
            .map(c -> c.getState() == null ? null : c.getState().getTerminated())
            .orElse(null);
    if ("DeadlineExceeded".equals(status.getReason())) {
      return new Ended(
          CompletionStatus.TIMED_OUT,
          null,
          Map.of(),
          "pod DeadlineExceeded: " + nz(status.getMessage()));
    }
    if (terminated != null) {
      int exit = terminated.getExitCode() == null ? -1 : terminated.getExitCode();
      String message = nz(terminated.getMessage());
      if (exit == 0) {
        return new Ended(CompletionStatus.SUCCEEDED, 0, outputs(message), null);
      }
      String reason = nz(terminated.getReason());
      return new Ended(
          CompletionStatus.FAILED,
          exit,
          Map.of(),
          (reason.isEmpty() ? "failed" : reason)
              + " (exit code "
              + exit
              + ")"
              + (message.isEmpty() ? "" : ": " + message));
    }
    String reason = status.getReason() == null ? "pod " + status.getPhase() : status.getReason();
    return new Ended(
        CompletionStatus.UNKNOWN,
        null,
        Map.of(),
        reason + (status.getMessage() == null ? "" : ": " + status.getMessage()));
  }

  /** A pod whose image has not pulled for longer than {@code timeout}: the reason, else empty. */
  public static Optional<String> imageProblem(Pod pod, Instant now, Duration timeout) {
    ContainerStateWaiting waiting =
        container(pod)
            .map(c -> c.getState() == null ? null : c.getState().getWaiting())
            .orElse(null);
    if (waiting == null || !IMAGE_PROBLEMS.contains(waiting.getReason())) {
      return Optional.empty();
    }
    String created = pod.getMetadata().getCreationTimestamp();
    Instant since = created == null ? now : Instant.parse(created);
    if (Duration.between(since, now).compareTo(timeout) < 0) {
      return Optional.empty();
    }
    return Optional.of(
        "image "
            + container(pod).map(ContainerStatus::getImage).orElse("?")
            + " cannot be pulled: "
            + waiting.getReason()
            + (waiting.getMessage() == null ? "" : " (" + waiting.getMessage() + ")"));
  }

  private static Optional<ContainerStatus> container(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(c -> "job".equals(c.getName()))
        .findFirst();
  }

  /** Outputs written as a JSON object to the termination message; anything else is not outputs. */
  static Map<String, String> outputs(String message) {
    if (!message.strip().startsWith("{")) {
      return new LinkedHashMap<>();
    }
    try {
      return OutputsFile.fromObject(JSON.readTree(message));
    } catch (Exception e) {
      return Map.of();
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s.strip();
  }
}
