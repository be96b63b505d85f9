package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.bench.MockKubernetes;
import dev.baton.dispatcher.kubernetes.KubernetesRuntime;
import dev.baton.dispatcher.kubernetes.KubernetesSettings;
import dev.baton.dispatcher.kubernetes.PodNames;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.WarmPool;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm pools against the fabric8 mock API server (CRUD) with a real broker and Redis. The test
 * plays the kubelet (idle pods become Running) and the exec endpoint ({@link MockKubernetes}): a
 * job's exec prints a line and exits 0, {@code cat} of its outputs file prints {@code step=<job>}.
 */
class WarmPoolIT {
  static MockKubernetes mock;
  static KubernetesClient client;
  static BatonHarness baton;
  static List<List<String>> execs;
  @TempDir static Path work;

  static KubernetesSettings settings(Map<String, WarmPool> imagePools) {
    KubernetesSettings.Builder b =
        KubernetesSettings.builder(
            client.getNamespace(), SharedBroker.bootstrapServers(), "warm.completions");
    b.reportGrace = Duration.ofMillis(700);
    b.imagePools = imagePools;
    return b.build();
  }

  static KubernetesRuntime runtime(Map<String, WarmPool> imagePools) throws InterruptedException {
    return new KubernetesRuntime(
            client,
            settings(imagePools),
            SharedBroker.bootstrapServers(),
            Map.of(),
            dev.baton.serde.Wire.json(),
            dev.baton.security.AttemptTokens.processDefault())
        .start();
  }

  static WarmPool pool(int min, int max, String idle) {
    return WarmPool.newBuilder()
        .setMin(min)
        .setMax(max)
        .setIdleTimeoutMs(dev.baton.settings.DurationText.parse(idle).toMillis())
        .build();
  }

  @BeforeAll
  static void start() throws Exception {
    mock = new MockKubernetes();
    client = mock.client();
    execs = mock.execs;
    dev.baton.kafka.TopicAdmin.ensureTopics(
        SharedBroker.bootstrapServers(),
        dev.baton.serde.Topics.withPrefix("warm"),
        3,
        (short) 1,
        java.util.Map.of());
    baton =
        new BatonHarness("warm", work, null, 16, runtime(Map.of("pooled:1", pool(3, 3, "10m"))));
    baton.apply(
        "pooled.yaml",
        """
        name: pooled
        version: 1
        jobs:
          - {name: a, image: "pooled:1", command: [step, a], outputs: [step], runtime: kubernetes}
          - {name: b, image: "pooled:1", command: [step, b], outputs: [step], runtime: kubernetes}
          - {name: c, image: "pooled:1", command: [step, c], outputs: [step], runtime: kubernetes}
        """);
    baton.apply(
        "bursty.yaml",
        """
        name: bursty
        version: 1
        jobs:
          - name: once
            image: "bursty:1"
            command: [once]
            runtime: kubernetes
            kubernetes:
              warm: {min: 0, max: 2, idleTimeout: 2s}
        """);
  }

  @AfterAll
  static void stop() throws Exception {
    baton.close();
    mock.close();
  }

  static List<Pod> poolPods(String image) {
    return client
        .pods()
        .inNamespace(client.getNamespace())
        .withLabel(PodNames.POOL)
        .list()
        .getItems()
        .stream()
        .filter(
            p ->
                p.getSpec().getContainers().get(0).getImage().equals(image)
                    && p.getMetadata().getDeletionTimestamp() == null
                    && !"Failed".equals(p.getStatus() == null ? null : p.getStatus().getPhase()))
        .toList();
  }

  static List<Pod> coldPods(String runId) {
    return client
        .pods()
        .inNamespace(client.getNamespace())
        .withLabel(PodNames.RUN_ID, runId)
        .withoutLabel(PodNames.POOL)
        .list()
        .getItems();
  }

  static long idle(String image) {
    return poolPods(image).stream()
        .filter(p -> PodNames.IDLE.equals(p.getMetadata().getLabels().get(PodNames.POOL_STATE)))
        .count();
  }

  @Test
  void aPoolFillsToItsMinimumAndReplacesAnIdlePodThatDies() {
    await().atMost(BatonHarness.DEADLINE).until(() -> idle("pooled:1") == 3);
    Pod victim = poolPods("pooled:1").get(0);
    client
        .pods()
        .inNamespace(client.getNamespace())
        .withName(victim.getMetadata().getName())
        .editStatus(
            x -> new PodBuilder(x).editOrNewStatus().withPhase("Failed").endStatus().build());
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                idle("pooled:1") == 3
                    && poolPods("pooled:1").stream()
                        .noneMatch(
                            p -> p.getMetadata().getName().equals(victim.getMetadata().getName())));
    Pod any = poolPods("pooled:1").get(0);
    assertEquals(
        "sleep",
        any.getSpec().getContainers().get(0).getCommand().get(0),
        "idle pods wait without using CPU");
    assertEquals(true, any.getSpec().getSecurityContext().getRunAsNonRoot());
  }

  @Test
  void aRunOfThreePooledJobsRunsInClaimedPodsByExec() throws Exception {
    await().atMost(BatonHarness.DEADLINE).until(() -> idle("pooled:1") == 3);
    int before = execs.size();
    baton.trigger("warm-run-1", "pooled", Map.of());
    RunState run = baton.awaitEnd("warm-run-1");
    assertEquals(RunStatus.SUCCEEDED, run.status());
    assertEquals(Map.of("step", "a"), run.jobs().get("a").outputs());
    assertEquals(Map.of("step", "c"), run.jobs().get("c").outputs());
    List<List<String>> mine =
        execs.subList(before, execs.size()).stream().filter(a -> a.get(0).equals("env")).toList();
    assertEquals(3, mine.size(), "three jobs, three execs: " + mine);
    for (List<String> argv : mine) {
      assertTrue(argv.contains("BATON_RUN_ID=warm-run-1"), argv.toString());
      assertEquals("step", argv.get(argv.size() - 2));
    }
    assertEquals(
        0,
        client
            .pods()
            .inNamespace(client.getNamespace())
            .withLabel(PodNames.RUN_ID, "warm-run-1")
            .list()
            .getItems()
            .stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .count(),
        "no cold pod, and each claimed pod deleted after its job");
    await().atMost(BatonHarness.DEADLINE).until(() -> idle("pooled:1") == 3); // refilled
  }

  @Test
  void aClaimedPodThatDiesDuringItsJobIsReportedFailed() throws Exception {
    baton.apply(
        "vanishing.yaml",
        """
        name: vanishing
        version: 1
        jobs:
          - {name: gone, image: "pooled:1", command: [vanish], runtime: kubernetes}
        """);
    await().atMost(BatonHarness.DEADLINE).until(() -> idle("pooled:1") == 3);
    baton.trigger("warm-vanish-1", "vanishing", Map.of());
    RunState run = baton.awaitEnd("warm-vanish-1");
    assertEquals(RunStatus.FAILED, run.status());
    assertTrue(
        String.valueOf(run.jobs().get("gone").error()).contains("went away during the job"),
        String.valueOf(run.jobs().get("gone")));
  }

  /** Whether the mock kubelet has started {@code pod}: a pod just created has no status yet. */
  private static boolean running(io.fabric8.kubernetes.api.model.Pod pod) {
    return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
  }

  @Test
  void twoDispatchersRacingForOneIdlePodClaimItOnce() throws Exception {
    Map<String, WarmPool> one = Map.of("race:1", pool(1, 1, "10m"));
    try (KubernetesRuntime first = runtime(one);
        KubernetesRuntime second = runtime(one)) {
      await()
          .atMost(BatonHarness.DEADLINE)
          .until(() -> idle("race:1") == 1 && running(poolPods("race:1").get(0)));
      var d1 = dispatch("race-1");
      var d2 = dispatch("race-2");
      var ready = new java.util.concurrent.CountDownLatch(1);
      var threads = Executors.newFixedThreadPool(2);
      var a =
          threads.submit(
              () -> {
                ready.await();
                return first.start(d1, c -> {});
              });
      var b =
          threads.submit(
              () -> {
                ready.await();
                return second.start(d2, c -> {});
              });
      ready.countDown();
      assertTrue(
          a.get(30, TimeUnit.SECONDS) && b.get(30, TimeUnit.SECONDS), "both attempts started");
      threads.shutdown();
      await()
          .atMost(BatonHarness.DEADLINE)
          .until(
              () ->
                  execs.stream()
                          .filter(x -> x.get(0).equals("env"))
                          .filter(
                              x ->
                                  x.contains("BATON_RUN_ID=race-1")
                                      || x.contains("BATON_RUN_ID=race-2"))
                          .count()
                      == 1);
      boolean firstWon = execs.stream().anyMatch(x -> x.contains("BATON_RUN_ID=race-1"));
      String loser = firstWon ? d2.getAttemptId() : d1.getAttemptId();
      Pod cold =
          client.pods().inNamespace(client.getNamespace()).withName(PodNames.of(loser)).get();
      assertNotNull(cold, "the attempt that lost the race took the cold path");
      assertEquals(null, cold.getMetadata().getLabels().get(PodNames.POOL));
      // One idle pod, claimed once: no second exec shows up.
      await()
          .during(Duration.ofMillis(500))
          .atMost(BatonHarness.DEADLINE)
          .until(
              () ->
                  execs.stream()
                          .filter(
                              x ->
                                  x.contains("BATON_RUN_ID=race-1")
                                      || x.contains("BATON_RUN_ID=race-2"))
                          .count()
                      == 1);
    }
  }

  @Test
  void aPoolDeclaredInATemplateGrowsOnDemandAndShrinksToZeroWhenIdle() throws Exception {
    baton.trigger("bursty-1", "bursty", Map.of());
    // No idle pod yet: the first dispatch takes the cold path (the test plays its pod), and the
    // pool grows by one.
    await().atMost(BatonHarness.DEADLINE).until(() -> !coldPods("bursty-1").isEmpty());
    Pod cold = coldPods("bursty-1").get(0);
    assertNotNull(cold.getMetadata().getAnnotations().get(PodNames.ATTEMPT_ID));
    Kubelet.runToSuccess(client, baton, cold, Map.of());
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("bursty-1").status());
    await().atMost(BatonHarness.DEADLINE).until(() -> idle("bursty:1") == 1);
    // Nothing claims it for the idle timeout (2 s): the pool shrinks to its minimum, zero.
    await().atMost(BatonHarness.DEADLINE).until(() -> poolPods("bursty:1").isEmpty());
  }

  @Test
  void aRestartedDispatcherReAdoptsIdlePodsInsteadOfLeakingThem() throws Exception {
    await().atMost(BatonHarness.DEADLINE).until(() -> idle("pooled:1") == 3);
    List<String> before =
        poolPods("pooled:1").stream().map(p -> p.getMetadata().getName()).sorted().toList();
    // The new dispatcher has no pool in its settings: it finds the pool in its pods.
    baton.restartDispatcher(runtime(Map.of()));
    // Same pods, none added, for two ticks of the pools.
    await()
        .during(Duration.ofMillis(2_500))
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                before.equals(
                    poolPods("pooled:1").stream()
                        .map(p -> p.getMetadata().getName())
                        .sorted()
                        .toList()));
    int execsBefore = execs.size();
    baton.trigger("warm-run-2", "pooled", Map.of());
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("warm-run-2").status());
    assertEquals(
        3,
        execs.subList(execsBefore, execs.size()).stream()
            .filter(a -> a.get(0).equals("env"))
            .count(),
        "the re-adopted pods ran the jobs");
    await().atMost(BatonHarness.DEADLINE).until(() -> idle("pooled:1") == 3);
  }

  static dev.baton.events.JobDispatch dispatch(String runId) {
    return dev.baton.events.JobDispatch.newBuilder()
        .setEventId(runId + "/x/1")
        .setRunId(runId)
        .setOccurredAt(java.time.Instant.now())
        .setTemplate("t")
        .setTemplateVersion(1)
        .setJob("x")
        .setAttempt(1)
        .setAttemptId(runId + "/x/1")
        .setCommand(List.of("x"))
        .setImage("race:1")
        .build();
  }
}
