package dev.baton.dispatcher.kubernetes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Wire;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pod watcher against the fabric8 mock API server (CRUD mode): the test plays the kubelet and
 * moves the watcher's clock past the report grace.
 */
@EnableKubernetesMockClient(crud = true)
class PodWatcherTest {
  static final Duration GRACE = Duration.ofSeconds(10);
  static final Duration WAIT = Duration.ofSeconds(20);

  KubernetesClient client;
  // From now: the API server stamps a pod's creation time with its own clock.
  final MovableClock clock = new MovableClock(Instant.now());
  final List<JobCompletion> published = new CopyOnWriteArrayList<>();
  ReportedAttempts reported;
  PodWatcher watcher;

  @BeforeEach
  void start() {
    KubernetesSettings.Builder b =
        KubernetesSettings.builder(client.getNamespace(), "localhost:9092", "completions");
    b.reportGrace = GRACE;
    b.imagePullTimeout = Duration.ofMinutes(2);
    reported = new ReportedAttempts(Wire.json(), AttemptTokens.processDefault());
    watcher = new PodWatcher(client, b.build(), reported, this::publish, clock).start();
  }

  /** When false, reports are not written (Kafka is away) until it is set again. */
  volatile boolean kafkaTakesReports = true;

  private final List<java.util.concurrent.CompletableFuture<Void>> unwritten =
      new CopyOnWriteArrayList<>();

  private java.util.concurrent.CompletionStage<?> publish(JobCompletion c) {
    published.add(c);
    java.util.concurrent.CompletableFuture<Void> written =
        new java.util.concurrent.CompletableFuture<>();
    if (kafkaTakesReports) {
      written.complete(null);
    } else {
      unwritten.add(written);
    }
    return written;
  }

  @AfterEach
  void stop() {
    watcher.close();
    client.pods().inNamespace(client.getNamespace()).delete();
  }

  @Test
  void aPodThatEndedWithoutReportingIsReportedOnceAfterTheGraceAndDeleted() {
    create(
        pod("a1", "Failed")
            .editStatus()
            .addNewContainerStatus()
            .withName("job")
            .withImage("x:1")
            .withNewState()
            .withNewTerminated()
            .withExitCode(3)
            .withReason("Error")
            .withStartedAt("2026-12-01T00:00:00Z")
            .withFinishedAt("2026-12-01T00:00:02Z")
            .endTerminated()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build());

    JobCompletion c = awaitReport("a1");
    assertEquals(CompletionStatus.FAILED, c.getStatus());
    assertEquals(3, c.getExitCode());
    assertEquals("watcher", c.getReporter());
    assertEquals("run-1", c.getRunId());
    assertEquals("train", c.getJob());
    assertEquals(2, c.getAttempt());
    assertEquals(Instant.parse("2026-12-01T00:00:02Z"), c.getEndedAt());
    await().atMost(WAIT).until(() -> find("a1").isEmpty());
    assertTrue(reported.hasReported("a1"));
    assertEquals(1, published.stream().filter(p -> p.getEventId().equals("a1")).count());
  }

  @Test
  void aPodStaysUntilItsReportIsWrittenAndIsNotReportedTwiceMeanwhile() {
    kafkaTakesReports = false;
    create(pod("k1", "Failed").build());
    awaitReport("k1");
    clock.advance(GRACE.multipliedBy(3));
    create(pod("k2", "Failed").build());
    awaitReport("k2");
    assertTrue(find("k1").isPresent(), "its report is not written: the pod stays");
    assertFalse(reported.hasReported("k1"));
    assertEquals(1, published.stream().filter(p -> p.getEventId().equals("k1")).count());

    kafkaTakesReports = true;
    unwritten.forEach(w -> w.complete(null));
    await().atMost(WAIT).until(() -> find("k1").isEmpty());
    assertTrue(reported.hasReported("k1"));
  }

  @Test
  void aFinishedPodWhoseJobReportedIsDeletedWithoutAReport() {
    reported.reported("a2");
    create(pod("a2", "Succeeded").build());

    await().atMost(WAIT).until(() -> find("a2").isEmpty());
    clock.advance(GRACE.multipliedBy(2));
    sentinelReported();
    assertFalse(published.stream().anyMatch(c -> c.getEventId().equals("a2")));
  }

  @Test
  void aPodDeletedBeforeItEndedIsReportedUnknownUnlessBatonStoppedIt() {
    create(pod("a3", "Running").build());
    create(pod("a4", "Running").build());
    watcher.stopping("a4");
    await().atMost(WAIT).until(() -> watcher.active() == 2);
    delete("a4");
    delete("a3");

    JobCompletion c = awaitReport("a3");
    assertEquals(CompletionStatus.UNKNOWN, c.getStatus());
    assertEquals("pod deleted before its job reported", c.getErrorTail());
    assertFalse(published.stream().anyMatch(p -> p.getEventId().equals("a4")));
  }

  @Test
  void anImageThatCannotBePulledFailsTheAttemptAfterThePullTimeout() {
    create(
        pod("a5", "Pending")
            .editMetadata()
            .withCreationTimestamp(clock.instant().toString())
            .endMetadata()
            .editStatus()
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
            .build());

    JobCompletion c = awaitReport("a5");
    assertEquals(CompletionStatus.FAILED, c.getStatus());
    assertTrue(
        c.getErrorTail().contains("nope:1 cannot be pulled: ImagePullBackOff"), c.getErrorTail());
    await().atMost(WAIT).until(() -> find("a5").isEmpty());
  }

  @Test
  void warmPoolPodsAreNotTheWatchers() {
    create(
        pod("a6", "Failed").editMetadata().addToLabels(PodNames.POOL, "p").endMetadata().build());

    sentinelReported();
    assertFalse(published.stream().anyMatch(c -> c.getEventId().equals("a6")));
    assertTrue(find("a6").isPresent());
  }

  /** A pod ended without a report, reported: every pod created before it has been looked at. */
  private void sentinelReported() {
    create(pod("sentinel", "Failed").build());
    awaitReport("sentinel");
  }

  private JobCompletion awaitReport(String attemptId) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              clock.advance(GRACE);
              return published.stream().anyMatch(c -> c.getEventId().equals(attemptId));
            });
    return published.stream().filter(c -> c.getEventId().equals(attemptId)).findFirst().get();
  }

  private static PodBuilder pod(String attemptId, String phase) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("pod-" + attemptId)
        .addToLabels(PodNames.MANAGED_BY, "baton")
        .addToLabels(PodNames.ATTEMPT, "2")
        .addToAnnotations(PodNames.ATTEMPT_ID, attemptId)
        .addToAnnotations(PodNames.RUN_ID, "run-1")
        .addToAnnotations(PodNames.JOB, "train")
        .endMetadata()
        .withNewStatus()
        .withPhase(phase)
        .endStatus();
  }

  private void create(Pod pod) {
    client.pods().inNamespace(client.getNamespace()).resource(pod).create();
  }

  private void delete(String attemptId) {
    client.pods().inNamespace(client.getNamespace()).withName("pod-" + attemptId).delete();
  }

  private Optional<Pod> find(String attemptId) {
    return Optional.ofNullable(
        client.pods().inNamespace(client.getNamespace()).withName("pod-" + attemptId).get());
  }

  /** A clock the test moves forward; read by the watcher's thread. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
