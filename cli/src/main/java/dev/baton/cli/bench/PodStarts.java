package dev.baton.cli.bench;

import dev.baton.dispatcher.kubernetes.KubernetesRuntime;
import dev.baton.dispatcher.kubernetes.KubernetesSettings;
import dev.baton.events.JobDispatch;
import dev.baton.events.WarmPool;
import dev.baton.kafka.TopicAdmin;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * From a dispatch handed to the Kubernetes runtime to the API request that starts the job's
 * process: for a cold pod, its creation (a real cluster then schedules it, pulls the image and
 * starts the container); for a warm pod, the exec (a real cluster then starts the process in a
 * running container). Against the mock API server, so it shows Baton's share only.
 */
final class PodStarts {
  record Result(Latencies cold, Latencies warm) {}

  private PodStarts() {}

  static Result measure(String bootstrap, String completionsTopic, int count) throws Exception {
    try (MockKubernetes mock = new MockKubernetes()) {
      KubernetesSettings.Builder b =
          KubernetesSettings.builder(mock.client().getNamespace(), bootstrap, completionsTopic);
      b.imagePools =
          Map.of(
              "warm:1",
              WarmPool.newBuilder().setMin(2).setMax(2).setIdleTimeoutMs(600_000).build());
      KubernetesSettings settings = b.build();
      KubernetesRuntime runtime =
          new KubernetesRuntime(
                  mock.client(),
                  settings,
                  bootstrap,
                  Map.of(),
                  Wire.json(),
                  AttemptTokens.processDefault())
              .start();
      try {
        Latencies cold = new Latencies();
        Latencies warm = new Latencies();
        for (int i = 0; i < count; i++) {
          cold.add(once(runtime, dispatch("cold-" + i, "cold:1"), mock.podCreated));
          awaitIdle(mock, 2);
          warm.add(once(runtime, dispatch("warm-" + i, "warm:1"), mock.execArrived));
        }
        return new Result(cold, warm);
      } finally {
        runtime.close();
      }
    }
  }

  private static long once(KubernetesRuntime runtime, JobDispatch d, Map<String, Long> arrivals)
      throws InterruptedException {
    long start = System.nanoTime();
    runtime.start(d, completion -> {});
    long deadline = start + Duration.ofSeconds(30).toNanos();
    while (!arrivals.containsKey(d.getAttemptId())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no API request for " + d.getAttemptId() + " within 30 s");
      }
      Thread.onSpinWait();
    }
    return (arrivals.get(d.getAttemptId()) - start) / 1000;
  }

  private static void awaitIdle(MockKubernetes mock, int idle) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (mock
            .client()
            .pods()
            .inNamespace(mock.client().getNamespace())
            .withLabel("baton.io/state", "idle")
            .list()
            .getItems()
            .stream()
            .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
            .count()
        < idle) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the warm pool did not refill within 30 s");
      }
      Thread.sleep(10);
    }
  }

  private static JobDispatch dispatch(String runId, String image) {
    return JobDispatch.newBuilder()
        .setEventId(runId + "/job/1")
        .setRunId(runId)
        .setOccurredAt(Instant.now())
        .setTemplate("bench")
        .setTemplateVersion(1)
        .setJob("job")
        .setAttempt(1)
        .setAttemptId(runId + "/job/1")
        .setCommand(List.of("true"))
        .setImage(image)
        .build();
  }

  /** Measures {@code count} cold and warm starts and prints their latencies. */
  static void print(String bootstrap, int count, PrintWriter out) throws Exception {
    TopicAdmin.ensureTopics(bootstrap, Topics.withPrefix("bench-pods"), 1, (short) 1, Map.of());
    PodStarts.Result pods =
        PodStarts.measure(bootstrap, Topics.withPrefix("bench-pods").completions(), count);
    out.printf(
        "dispatch -> job start, %d each, against the mock API server (no kubelet: Baton's share only):%n",
        count);
    out.printf(
        "  cold pod (pod created; a real cluster adds scheduling, image pull, container start): p50 %.1f ms, p99 %.1f ms%n",
        pods.cold().percentileMillis(50), pods.cold().percentileMillis(99));
    out.printf(
        "  warm pod (exec requested; a real cluster adds the exec round trip to the kubelet):     p50 %.1f ms, p99 %.1f ms%n",
        pods.warm().percentileMillis(50), pods.warm().percentileMillis(99));
  }
}
