package dev.baton.dispatcher.kubernetes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.baton.events.JobDispatch;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Warm pools against the fabric8 mock API server (CRUD mode): the test plays the kubelet (pods
 * become Running or end when it says) and moves the pools' clock past the idle timeout.
 */
@EnableKubernetesMockClient(crud = true)
class WarmPoolsTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String IMAGE = "busybox:1.36";

  KubernetesClient client;
  final PodWatcherTest.MovableClock clock = new PodWatcherTest.MovableClock(Instant.now());
  KubernetesSettings settings;
  WarmPools pools;
  PoolSpec spec;

  @BeforeEach
  void start() {
    KubernetesSettings.Builder b =
        KubernetesSettings.builder(client.getNamespace(), "localhost:9092", "completions");
    b.imagePools = KubernetesSettings.imagePools(IMAGE + "=2/3/10m");
    settings = b.build();
    pools = new WarmPools(client, settings, clock, Duration.ofMillis(50)).start();
    spec = pools.register(dispatch("run-0/a/1"));
    assertNotNull(spec, "an image with a pool in the settings has a pool");
  }

  @AfterEach
  void stop() {
    pools.close();
    client.pods().inNamespace(client.getNamespace()).delete();
  }

  @Test
  void aPoolFillsToItsMinimumAndReplacesAnIdlePodThatEnded() {
    await().atMost(WAIT).until(() -> idle().size() == 2);
    Pod ended = idle().get(0);
    setPhase(ended, "Failed");

    await()
        .atMost(WAIT)
        .until(
            () ->
                idle().size() == 2
                    && idle().stream()
                        .noneMatch(
                            p -> p.getMetadata().getName().equals(ended.getMetadata().getName())));
  }

  @Test
  void aClaimTakesARunningIdlePodOnceAndAMissGrowsThePoolUpToItsMaximum() {
    await().atMost(WAIT).until(() -> idle().size() == 2);
    idle().forEach(p -> setPhase(p, "Running"));

    String first = pools.claim(dispatch("run-1/a/1"), spec);
    String second = pools.claim(dispatch("run-2/a/1"), spec);
    assertNotNull(first);
    assertNotNull(second);
    assertNotEquals(first, second);
    Pod claimed = pod(first);
    assertEquals(PodNames.CLAIMED, claimed.getMetadata().getLabels().get(PodNames.POOL_STATE));
    assertEquals("run-1/a/1", claimed.getMetadata().getAnnotations().get(PodNames.ATTEMPT_ID));

    // Both claimed, none idle and running: a miss, and the pool grows by one for the next.
    assertNull(pools.claim(dispatch("run-3/a/1"), spec));
    await().atMost(WAIT).until(() -> all().size() == 3);
  }

  @Test
  void aQuietPoolShrinksToItsMinimum() {
    await().atMost(WAIT).until(() -> idle().size() == 2);
    pools.claim(dispatch("run-4/a/1"), spec); // none running: a miss asks for one more
    await().atMost(WAIT).until(() -> idle().size() == 3);

    clock.advance(Duration.ofMinutes(11));
    await().atMost(WAIT).until(() -> idle().size() == 2);
  }

  private List<Pod> all() {
    return client
        .pods()
        .inNamespace(client.getNamespace())
        .withLabel(PodNames.POOL, spec.name())
        .list()
        .getItems()
        .stream()
        .filter(p -> !PodOutcome.finished(p))
        .toList();
  }

  private List<Pod> idle() {
    return all().stream().filter(WarmPools::isIdle).toList();
  }

  private Pod pod(String name) {
    return client.pods().inNamespace(client.getNamespace()).withName(name).get();
  }

  private void setPhase(Pod pod, String phase) {
    client
        .pods()
        .inNamespace(client.getNamespace())
        .resource(
            new PodBuilder(pod(pod.getMetadata().getName()))
                .editOrNewStatus()
                .withPhase(phase)
                .endStatus()
                .build())
        .updateStatus();
  }

  private static JobDispatch dispatch(String attemptId) {
    String[] parts = attemptId.split("/", -1);
    return JobDispatch.newBuilder()
        .setEventId(attemptId)
        .setRunId(parts[0])
        .setOccurredAt(Instant.EPOCH)
        .setTemplate("t")
        .setTemplateVersion(1)
        .setJob(parts[1])
        .setAttempt(Integer.parseInt(parts[2]))
        .setAttemptId(attemptId)
        .setImage(IMAGE)
        .build();
  }
}
