package dev.baton.it;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.serde.EventCodec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What tests against the mock API server play: the kubelet moving pods through phases, and jobs
 * reporting themselves.
 */
final class Kubelet {
  private static final EventCodec<JobCompletion> COMPLETIONS = EventCodec.of(JobCompletion.class);

  private Kubelet() {}

  static void setPhase(
      KubernetesClient client,
      Pod pod,
      String phase,
      Integer exitCode,
      String reason,
      String message) {
    client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .editStatus(
            p -> {
              PodBuilder b = new PodBuilder(p);
              var status = b.editOrNewStatus().withPhase(phase);
              if (exitCode != null) {
                status
                    .withContainerStatuses()
                    .addNewContainerStatus()
                    .withName("job")
                    .withImage(pod.getSpec().getContainers().get(0).getImage())
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(exitCode)
                    .withReason(reason)
                    .withMessage(message)
                    .withStartedAt("2026-01-01T00:00:00Z")
                    .withFinishedAt("2026-01-01T00:00:01Z")
                    .endTerminated()
                    .endState()
                    .endContainerStatus();
              }
              return status.endStatus().build();
            });
  }

  /**
   * What a job does at its end inside its pod: publish its completion (as `baton report` or the
   * kcat recipe would).
   */
  static void jobReports(BatonHarness baton, Pod pod, Map<String, String> outputs)
      throws Exception {
    Map<String, String> env =
        pod.getSpec().getContainers().get(0).getEnv().stream()
            .collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));
    JobCompletion c =
        JobCompletion.newBuilder()
            .setRunId(env.get("BATON_RUN_ID"))
            .setJob(env.get("BATON_JOB"))
            .setAttempt(Integer.parseInt(env.get("BATON_ATTEMPT")))
            .setStatus(CompletionStatus.SUCCEEDED)
            .setExitCode(0)
            .setOutputs(outputs)
            .setOccurredAt(Instant.now())
            .setReporter("job")
            .setToken(env.get("BATON_ATTEMPT_TOKEN"))
            .build();
    baton.send(
        env.get("BATON_COMPLETIONS_TOPIC"),
        c.getRunId(),
        new String(COMPLETIONS.encode(c), StandardCharsets.UTF_8));
  }

  /** The kubelet runs the pod to success and the job reports. */
  static void runToSuccess(
      KubernetesClient client, BatonHarness baton, Pod pod, Map<String, String> outputs)
      throws Exception {
    setPhase(client, pod, "Running", null, null, null);
    jobReports(baton, pod, outputs);
    setPhase(client, pod, "Succeeded", 0, "Completed", null);
  }
}
