package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.artifacts.S3ArtifactStore;
import dev.baton.cli.dev.DevFiles;
import dev.baton.cli.dev.LocalS3;
import dev.baton.dispatcher.artifacts.ArtifactTransfers;
import dev.baton.dispatcher.kubernetes.JobPodBuilder;
import dev.baton.dispatcher.kubernetes.KubernetesRuntime;
import dev.baton.dispatcher.kubernetes.KubernetesSettings;
import dev.baton.dispatcher.kubernetes.PodNames;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.events.RunEventType;
import dev.baton.serde.EventCodec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes runtime against the fabric8 mock API server (CRUD mode), a real broker and a real
 * Redis. The test plays the kubelet: it moves pods through their phases and, where a real job
 * would, publishes the job's completion.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesRuntimeIT {
  static KubernetesClient client;
  static BatonHarness baton;
  static final EventCodec<JobCompletion> COMPLETIONS = EventCodec.of(JobCompletion.class);
  @TempDir static Path work;

  /** The artifact store the pods' presigned URLs point at: s3proxy on a temporary directory. */
  static LocalS3 s3;

  static S3ArtifactStore store;

  static KubernetesRuntime runtime() throws InterruptedException {
    String bootstrap = SharedBroker.bootstrapServers();
    KubernetesSettings.Builder b =
        KubernetesSettings.builder(client.getNamespace(), bootstrap, "k8s.completions");
    b.reportGrace = Duration.ofMillis(700);
    KubernetesSettings settings = b.build();
    return new KubernetesRuntime(
            client,
            settings,
            bootstrap,
            Map.of(),
            dev.baton.serde.Wire.json(),
            dev.baton.security.AttemptTokens.processDefault(),
            new ArtifactTransfers(store, new SimpleMeterRegistry()))
        .start();
  }

  @BeforeAll
  static void startBaton() throws Exception {
    s3 = LocalS3.start(work.resolve("s3"), DevFiles.freePort(), "artifacts");
    store = new S3ArtifactStore(s3.settings());
    dev.baton.kafka.TopicAdmin.ensureTopics(
        SharedBroker.bootstrapServers(),
        dev.baton.serde.Topics.withPrefix("k8s"),
        3,
        (short) 1,
        java.util.Map.of());
    baton = new BatonHarness("k8s", work, Path.of("../templates"), 16, runtime());
    baton.apply(
        "oom.yaml",
        """
        name: oom
        version: 1
        jobs:
          - name: train
            image: trainer:1
            command: [train]
            retry: {limit: 1, backoff: {initial: 100ms}}
        """);
    baton.apply(
        "files-on-pods.yaml",
        """
        name: files-on-pods
        version: 1
        jobs:
          - name: make
            image: busybox:1
            command: [sh, -c, 'printf "a\\nb\\nc\\n" > "$BATON_ARTIFACTS/out/data.csv"']
            artifacts: {out: {data: data.csv}}
          - name: use
            image: busybox:1
            command: [sh, -c, 'echo "lines=$(wc -l < "$BATON_ARTIFACTS/in/data" | tr -d " ")" >> "$BATON_OUTPUTS"']
            outputs: [lines]
            artifacts: {in: {data: "${jobs.make.artifacts.data}"}}
        """);
  }

  @AfterAll
  static void stopBaton() throws Exception {
    baton.close();
    store.close();
    s3.close();
  }

  static List<Pod> pods(String runId) {
    return client
        .pods()
        .inNamespace(client.getNamespace())
        .withLabel(PodNames.RUN_ID, runId)
        .list()
        .getItems();
  }

  static Pod awaitPod(String runId, String job, int attempt) {
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> pods(runId).stream().anyMatch(p -> isPod(p, job, attempt)));
    return pods(runId).stream().filter(p -> isPod(p, job, attempt)).findFirst().orElseThrow();
  }

  static boolean isPod(Pod p, String job, int attempt) {
    return job.equals(p.getMetadata().getLabels().get(PodNames.JOB))
        && Integer.toString(attempt).equals(p.getMetadata().getLabels().get(PodNames.ATTEMPT));
  }

  static void setPhase(Pod pod, String phase, Integer exitCode, String reason, String message) {
    Kubelet.setPhase(client, pod, phase, exitCode, reason, message);
  }

  static void runToSuccess(Pod pod, Map<String, String> outputs) throws Exception {
    Kubelet.runToSuccess(client, baton, pod, outputs);
  }

  static long completionsFor(String runId, String job, int attempt) {
    return new TopicReaderOnce(baton.bootstrap, baton.topics.completions())
        .values().stream()
            .map(v -> COMPLETIONS.decode(v))
            .filter(
                c ->
                    c.getRunId().equals(runId)
                        && c.getJob().equals(job)
                        && c.getAttempt() == attempt)
            .filter(c -> c.getStatus() != dev.baton.events.CompletionStatus.STARTED)
            .count();
  }

  @Test
  void pipelineRunsOnPodsThatExistOnlyWhileTheirJobRuns() throws Exception {
    baton.trigger("k-pipe", "pipeline", Map.of("source", "orders.csv"));
    Pod extract = awaitPod("k-pipe", "extract", 1);
    assertEquals(
        List.of(
            "sh", "-c", "echo \"extracting $SOURCE\"; echo \"records=21\" >> \"$BATON_OUTPUTS\""),
        extract.getSpec().getContainers().get(0).getCommand());
    assertEquals(1, pods("k-pipe").size());
    // The job's token is in its pod's environment; it reports with it (Kubelet.jobReports), as
    // baton report and the kcat recipe do.
    assertTrue(
        extract.getSpec().getContainers().get(0).getEnv().stream()
            .anyMatch(
                e ->
                    e.getName().equals("BATON_ATTEMPT_TOKEN")
                        && e.getValue()
                            .equals(
                                dev.baton.security.AttemptTokens.processDefault()
                                    .forJob("k-pipe/extract/1"))));
    runToSuccess(extract, Map.of("records", "21"));
    Pod transform = awaitPod("k-pipe", "transform", 1);
    await().atMost(BatonHarness.DEADLINE).until(() -> pods("k-pipe").size() == 1);
    assertTrue(
        transform.getSpec().getContainers().get(0).getEnv().stream()
            .anyMatch(e -> e.getName().equals("RECORDS") && e.getValue().equals("21")));
    runToSuccess(transform, Map.of("rows", "42"));
    Pod load = awaitPod("k-pipe", "load", 1);
    runToSuccess(load, Map.of("summary", "loaded 42 rows"));
    RunState run = baton.awaitEnd("k-pipe");
    assertEquals(RunStatus.SUCCEEDED, run.status());
    assertEquals("loaded 42 rows", run.job("load").outputs().get("summary"));
    await().atMost(BatonHarness.DEADLINE).until(() -> pods("k-pipe").isEmpty());
    for (String job : List.of("extract", "transform", "load")) {
      assertEquals(
          1,
          completionsFor("k-pipe", job, 1),
          "each job reported itself; the watcher added nothing");
    }
  }

  @Test
  void oomKilledPodThatNeverReportsFailsItsAttemptAndTheRetryCreatesAttemptTwo() throws Exception {
    baton.trigger("k-oom", "oom", Map.of());
    Pod first = awaitPod("k-oom", "train", 1);
    setPhase(first, "Running", null, null, null);
    // A forged report neither ends the attempt nor keeps the watcher from reporting how the pod
    // really ended.
    baton.send(
        baton.topics.completions(),
        "k-oom",
        "{\"runId\":\"k-oom\",\"job\":\"train\",\"attempt\":1,\"status\":\"SUCCEEDED\"}");
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                baton.deadLetters.records().stream()
                    .anyMatch(
                        r ->
                            new String(
                                    r.headers()
                                        .lastHeader(dev.baton.serde.DeadLetters.REASON)
                                        .value(),
                                    java.nio.charset.StandardCharsets.UTF_8)
                                .startsWith(
                                    "refused completion for k-oom/train/1 has no attempt token")));
    setPhase(first, "Failed", 137, "OOMKilled", null);
    baton.awaitEvent("k-oom", RunEventType.JOB_RETRYING, "train");
    assertTrue(
        baton
            .first("k-oom", RunEventType.JOB_RETRYING, "train")
            .getDetail()
            .contains("OOMKilled (exit code 137)"),
        baton.first("k-oom", RunEventType.JOB_RETRYING, "train").getDetail());
    Pod second = awaitPod("k-oom", "train", 2);
    // The OOMKilled pod is deleted once reported.
    await().atMost(BatonHarness.DEADLINE).until(() -> pods("k-oom").size() == 1);
    runToSuccess(second, Map.of());
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("k-oom").status());
    await().atMost(BatonHarness.DEADLINE).until(() -> pods("k-oom").isEmpty());
  }

  @Test
  void sameDispatchDeliveredTwiceCreatesOnePod() throws Exception {
    JobDispatch d =
        JobDispatch.newBuilder()
            .setEventId("k-dup/x/1")
            .setRunId("k-dup")
            .setOccurredAt(Instant.now())
            .setTemplate("t")
            .setTemplateVersion(1)
            .setJob("x")
            .setAttempt(1)
            .setAttemptId("k-dup/x/1")
            .setCommand(List.of("true"))
            .setImage("busybox:1.36")
            .build();
    String json = new String(EventCodec.of(JobDispatch.class).encode(d), StandardCharsets.UTF_8);
    baton.send(baton.topics.dispatch(), "k-dup", json);
    baton.send(baton.topics.dispatch(), "k-dup", json);
    awaitPod("k-dup", "x", 1);
    // Both records consumed: the dispatcher's committed offset is past the second one.
    await().atMost(BatonHarness.DEADLINE).until(() -> committedPast(2));
    assertEquals(1, pods("k-dup").size());
    assertEquals(0, completionsFor("k-dup", "x", 1), "a redelivered dispatch is not an error");
    client.pods().inNamespace(client.getNamespace()).withLabel(PodNames.RUN_ID, "k-dup").delete();
  }

  static boolean committedPast(int records) throws Exception {
    try (var admin =
        org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", baton.bootstrap))) {
      long total =
          admin
              .listConsumerGroupOffsets("k8s-dispatcher")
              .partitionsToOffsetAndMetadata()
              .get()
              .values()
              .stream()
              .mapToLong(o -> o.offset())
              .sum();
      long ends =
          admin
              .listOffsets(
                  admin
                      .describeTopics(List.of(baton.topics.dispatch()))
                      .allTopicNames()
                      .get()
                      .get(baton.topics.dispatch())
                      .partitions()
                      .stream()
                      .collect(
                          java.util.stream.Collectors.toMap(
                              p ->
                                  new org.apache.kafka.common.TopicPartition(
                                      baton.topics.dispatch(), p.partition()),
                              p -> org.apache.kafka.clients.admin.OffsetSpec.latest())))
              .all()
              .get()
              .values()
              .stream()
              .mapToLong(o -> o.offset())
              .sum();
      return total >= ends;
    }
  }

  @Test
  void dispatcherRestartedMidRunReconcilesAndTheRunCompletes() throws Exception {
    baton.trigger("k-restart", "pipeline", Map.of("source", "orders.csv"));
    runToSuccess(awaitPod("k-restart", "extract", 1), Map.of("records", "21"));
    Pod transform = awaitPod("k-restart", "transform", 1);
    baton.dispatcher.close();
    // While no dispatcher runs, the job ends; its pod could not report, but left its outputs in the
    // termination message.
    setPhase(transform, "Running", null, null, null);
    setPhase(transform, "Succeeded", 0, "Completed", "{\"rows\": \"42\"}");
    baton.restartDispatcher(runtime());
    Pod load = awaitPod("k-restart", "load", 1);
    assertTrue(
        load.getSpec().getContainers().get(0).getCommand().get(2).contains("summary=loaded"));
    runToSuccess(load, Map.of("summary", "done"));
    RunState run = baton.awaitEnd("k-restart");
    assertEquals(RunStatus.SUCCEEDED, run.status());
    assertEquals("42", run.job("transform").outputs().get("rows"));
    await().atMost(BatonHarness.DEADLINE).until(() -> pods("k-restart").isEmpty());
    assertEquals(
        1,
        completionsFor("k-restart", "transform", 1),
        "reported once, by the restarted dispatcher's watcher");
    assertEquals(
        1,
        completionsFor("k-restart", "extract", 1),
        "the job's own report is not repeated by the watcher");
  }

  @Test
  void cancelDeletesTheRunningPod() throws Exception {
    baton.trigger("k-cancel", "pipeline", Map.of("source", "orders.csv"));
    Pod extract = awaitPod("k-cancel", "extract", 1);
    setPhase(extract, "Running", null, null, null);
    java.io.StringWriter out = new java.io.StringWriter();
    assertEquals(0, baton.cli(out, "cancel", "k-cancel"), out.toString());
    assertEquals(RunStatus.CANCELLED, baton.awaitEnd("k-cancel").status());
    await().atMost(BatonHarness.DEADLINE).until(() -> pods("k-cancel").isEmpty());
    assertEquals(
        0,
        completionsFor("k-cancel", "extract", 1),
        "a pod stopped on purpose is not reported as lost");
  }

  /**
   * A pod's artifacts move through presigned URLs the dispatcher puts in its spec; the spec holds
   * no credentials of the store. The test plays the kubelet: it runs each pod's container here, as
   * the job image would (its report script, curl and kcat), on the pod's environment.
   */
  @Test
  void podsMoveTheirArtifactsThroughPresignedUrlsAndHoldNoCredentials() throws Exception {
    baton.trigger("k-files", "files-on-pods", Map.of());
    Pod make = awaitPod("k-files", "make", 1);
    String urls = env(make).get("BATON_ARTIFACT_URLS");
    assertTrue(
        urls.startsWith(
            "out\tdata\tdata.csv\ts3://artifacts/runs/k-files/make/1/data\t"
                + s3.settings().endpoint()),
        urls);
    assertTrue(urls.contains("X-Amz-Signature="), urls);
    assertEquals(JobPodBuilder.ARTIFACTS_DIR, env(make).get("BATON_ARTIFACTS"));
    String spec = Serialization.asJson(make);
    assertFalse(spec.contains(s3.settings().secretKey()), "no secret key in the pod: " + spec);
    assertTrue(
        env(make).keySet().stream().noneMatch(k -> k.startsWith("AWS_")),
        "no credentials in the environment");
    assertEquals(0, runContainer(make));
    setPhase(make, "Succeeded", 0, "Completed", null);

    Pod use = awaitPod("k-files", "use", 1);
    String in = env(use).get("BATON_ARTIFACT_URLS");
    assertTrue(in.startsWith("in\tdata\t6\t"), in);
    assertTrue(in.contains("X-Amz-Signature="), in);
    assertEquals(0, runContainer(use));
    setPhase(use, "Succeeded", 0, "Completed", null);
    RunState run = baton.awaitEnd("k-files");
    assertEquals(RunStatus.SUCCEEDED, run.status(), run.toString());
    assertEquals("3", run.job("use").outputs().get("lines"), "the file reached the next pod");
    assertEquals(
        "s3://artifacts/runs/k-files/make/1/data",
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(run.job("make").outputs().get("artifact:data"))
            .get("uri")
            .asText());
    assertEquals(Map.of("runs/k-files/make/1/data", 6L), store.keys("runs/k-files/"));
  }

  static Map<String, String> env(Pod pod) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    pod.getSpec().getContainers().get(0).getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
    return env;
  }

  /**
   * Runs the pod's container here: the job image's report script around the container's command, on
   * the pod's environment, its /tmp/baton a directory of the test's.
   */
  static int runContainer(Pod pod) throws Exception {
    Path root = Files.createDirectories(work.resolve("pods").resolve(pod.getMetadata().getName()));
    List<String> command =
        new java.util.ArrayList<>(List.of("sh", "../k8s/job-image/baton-report.sh"));
    command.addAll(pod.getSpec().getContainers().get(0).getCommand());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    env(pod)
        .forEach(
            (k, v) ->
                pb.environment().put(k, v.replace(JobPodBuilder.OUTPUTS_DIR, root.toString())));
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), output);
    System.out.println(pod.getMetadata().getName() + ": " + output);
    return p.exitValue();
  }
}
