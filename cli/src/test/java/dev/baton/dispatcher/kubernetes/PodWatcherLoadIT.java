package dev.baton.dispatcher.kubernetes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.bench.MockKubernetes;
import dev.baton.concurrent.RecentSet;
import dev.baton.events.JobCompletion;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Wire;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Thousands of attempts through the pod watcher on the mock API server: what it remembers stays
 * within its bounds and its heap does not grow with the attempts it has seen. On {@link
 * MockKubernetes}, whose watches close off the server's event loop: on the plain mock server, a
 * watch the informer closed while pods changed stalled the server, and a create timed out after 10
 * s (seen when the machine was busy).
 */
class PodWatcherLoadIT {
  static final int ATTEMPTS = 1_200;
  static final int REMEMBERED = 300;

  static MockKubernetes mock;
  static KubernetesClient client;

  @BeforeAll
  static void startServer() {
    mock = new MockKubernetes();
    client = mock.client();
  }

  @AfterAll
  static void stopServer() {
    mock.close();
  }

  static long heapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  @Test
  void thousandsOfAttemptsLeaveTheWatchersMemoryFlat() {
    KubernetesSettings.Builder b =
        KubernetesSettings.builder(client.getNamespace(), "localhost:9092", "completions");
    b.reportGrace = Duration.ZERO;
    ReportedAttempts reported =
        new ReportedAttempts(
            Wire.json(),
            AttemptTokens.processDefault(),
            new RecentSet(Duration.ofHours(2), REMEMBERED));
    AtomicLong reports = new AtomicLong();
    PodWatcher watcher =
        new PodWatcher(
                client,
                b.build(),
                reported,
                (JobCompletion c) -> {
                  reports.incrementAndGet();
                  return CompletableFuture.completedFuture(null);
                },
                Clock.systemUTC())
            .start();
    try {
      long early = 0;
      for (int i = 0; i < ATTEMPTS; i++) {
        String id = "load-" + i + "/a/1";
        if (i % 3 == 0) {
          watcher.stopping(id);
        }
        client
            .pods()
            .inNamespace(client.getNamespace())
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("pod-load-" + i)
                    .addToLabels(PodNames.MANAGED_BY, "baton")
                    .addToLabels(PodNames.ATTEMPT, "1")
                    .addToAnnotations(PodNames.ATTEMPT_ID, id)
                    .addToAnnotations(PodNames.RUN_ID, "load-" + i)
                    .addToAnnotations(PodNames.JOB, "a")
                    .endMetadata()
                    .withNewStatus()
                    .withPhase("Failed")
                    .endStatus()
                    .build())
            .create();
        if (i == ATTEMPTS / 4) {
          awaitNoPods();
          early = heapAfterGc();
        }
      }
      awaitNoPods();
      // the informer tells the watcher of the last deletions after the API server stops listing
      // the pods, and what it remembers of a deleted pod lasts one tick past the report grace
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertEquals(
                      0, watcher.following(), "nothing left of pods that are gone: " + watcher));
      long late = heapAfterGc();
      System.out.printf(
          "pod watcher: %d attempts, %d reported by it; remembered %d reports, %d stops,"
              + " %d entries of pods in flight; heap after GC %d MiB at %d attempts, %d MiB at"
              + " %d%n",
          ATTEMPTS,
          reports.get(),
          reported.size(),
          watcher.stopped(),
          watcher.following(),
          early >> 20,
          ATTEMPTS / 4,
          late >> 20,
          ATTEMPTS);
      assertTrue(reported.size() <= REMEMBERED, "reports remembered: " + reported.size());
      assertTrue(
          late - early < 32L << 20,
          "heap grew " + ((late - early) >> 20) + " MiB from " + ATTEMPTS / 4 + " attempts");
    } finally {
      watcher.close();
    }
  }

  private static void awaitNoPods() {
    await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> client.pods().inNamespace(client.getNamespace()).list().getItems().isEmpty());
  }
}
