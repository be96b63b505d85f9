package dev.baton.dispatcher.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.JobDispatch;
import dev.baton.events.PodOptions;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class JobPodBuilderTest {
  static final KubernetesSettings SETTINGS =
      KubernetesSettings.defaults("jobs", "kafka:9092", "baton.completions");

  static JobDispatch.Builder dispatch() {
    return JobDispatch.newBuilder()
        .setEventId("Run_42/load/2")
        .setRunId("Run_42")
        .setOccurredAt(Instant.EPOCH)
        .setTemplate("etl")
        .setTemplateVersion(3)
        .setJob("load")
        .setAttempt(2)
        .setAttemptId("Run_42/load/2")
        .setCommand(List.of("load", "--rows", "42"))
        .setImage("registry.example/etl:1.0")
        .setEnv(Map.of("source", "s3://x"));
  }

  static Map<String, String> env(Container c) {
    return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  @Test
  void podRunsTheArgvAsANonRootOneShotWithBatonsLabels() {
    Pod pod = JobPodBuilder.build(dispatch().build(), SETTINGS);
    assertEquals(PodNames.of("Run_42/load/2"), pod.getMetadata().getName());
    assertEquals("jobs", pod.getMetadata().getNamespace());
    assertEquals(
        Map.of(
            "app.kubernetes.io/managed-by",
            "baton",
            "baton.io/run-id",
            "Run_42",
            "baton.io/job",
            "load",
            "baton.io/attempt",
            "2"),
        pod.getMetadata().getLabels());
    assertEquals("Run_42/load/2", pod.getMetadata().getAnnotations().get(PodNames.ATTEMPT_ID));
    assertEquals("Never", pod.getSpec().getRestartPolicy());
    assertTrue(pod.getSpec().getSecurityContext().getRunAsNonRoot());
    assertEquals(1000L, pod.getSpec().getSecurityContext().getRunAsUser());
    assertFalse(pod.getSpec().getAutomountServiceAccountToken());
    Container c = pod.getSpec().getContainers().get(0);
    assertEquals(List.of("load", "--rows", "42"), c.getCommand());
    assertEquals("registry.example/etl:1.0", c.getImage());
    assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
    assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
    assertEquals(new Quantity("100m"), c.getResources().getRequests().get("cpu"));
    assertEquals(new Quantity("512Mi"), c.getResources().getLimits().get("memory"));
    Map<String, String> env = env(c);
    assertEquals("s3://x", env.get("source"));
    assertEquals("Run_42", env.get("BATON_RUN_ID"));
    assertEquals("2", env.get("BATON_ATTEMPT"));
    assertEquals("kafka:9092", env.get("BATON_BOOTSTRAP_SERVERS"));
    assertEquals("baton.completions", env.get("BATON_COMPLETIONS_TOPIC"));
    assertEquals("/tmp/baton/outputs", env.get("BATON_OUTPUTS"));
    assertEquals(null, pod.getSpec().getActiveDeadlineSeconds());
  }

  @Test
  void sameDispatchSamePod() {
    assertEquals(
        JobPodBuilder.build(dispatch().build(), SETTINGS),
        JobPodBuilder.build(dispatch().build(), SETTINGS));
  }

  @Test
  void jobSettingsOverrideDefaults() {
    PodOptions options =
        PodOptions.newBuilder()
            .setResources(Map.of("limits.memory", "2Gi", "requests.cpu", "500m"))
            .setNodeSelector(Map.of("pool", "batch"))
            .setTolerations(
                List.of(Map.of("key", "batch", "operator", "Exists", "effect", "NoSchedule")))
            .setServiceAccountName("etl-reader")
            .setImagePullSecrets(List.of("regcred"))
            .build();
    Pod pod =
        JobPodBuilder.build(
            dispatch().setPod(options).setTimeoutMs(90_500L).setItem(7).build(), SETTINGS);
    Container c = pod.getSpec().getContainers().get(0);
    assertEquals(new Quantity("2Gi"), c.getResources().getLimits().get("memory"));
    assertEquals(new Quantity("500m"), c.getResources().getRequests().get("cpu"));
    assertEquals(new Quantity("128Mi"), c.getResources().getRequests().get("memory"));
    assertEquals(Map.of("pool", "batch"), pod.getSpec().getNodeSelector());
    assertEquals("NoSchedule", pod.getSpec().getTolerations().get(0).getEffect());
    assertEquals("etl-reader", pod.getSpec().getServiceAccountName());
    assertEquals("regcred", pod.getSpec().getImagePullSecrets().get(0).getName());
    assertEquals(91L, pod.getSpec().getActiveDeadlineSeconds());
    assertEquals("7", pod.getMetadata().getLabels().get("baton.io/item"));
    assertEquals("7", env(c).get("BATON_ITEM_INDEX"));
  }

  @Test
  void wrapperRunsInFrontOfTheArgv() {
    KubernetesSettings wrapped =
        new KubernetesSettings(
            "jobs",
            KubernetesSettings.defaultResourceValues(),
            null,
            List.of(),
            1000,
            "kafka:9092",
            "baton.completions",
            List.of("/usr/local/bin/baton-report"),
            SETTINGS.reportGrace(),
            SETTINGS.imagePullTimeout(),
            null,
            null,
            null);
    assertEquals(
        List.of("/usr/local/bin/baton-report", "load", "--rows", "42"),
        JobPodBuilder.build(dispatch().build(), wrapped)
            .getSpec()
            .getContainers()
            .get(0)
            .getCommand());
  }

  @Test
  void jobWithoutImageIsRefused() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JobPodBuilder.build(dispatch().setImage(null).build(), SETTINGS));
    assertTrue(e.getMessage().contains("has no image"));
  }

  @Test
  void namesAreDnsSafeDeterministicAndDistinct() {
    String name = PodNames.of("Run_42/load/2");
    assertTrue(name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") && name.length() <= 63, name);
    String longName = PodNames.of("x".repeat(200) + "/job[17]/3");
    assertTrue(longName.length() <= 63, longName);
    assertFalse(
        PodNames.of("run/a-b/1").equals(PodNames.of("run/a/b/1")), "same slug, different attempts");
    assertEquals(PodNames.of("r/j/1"), PodNames.of("r/j/1"));
    assertTrue(PodNames.labelValue("a".repeat(100)).length() <= 63);
  }

  @Test
  void rootIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new KubernetesSettings(
                "jobs",
                Map.of(),
                null,
                List.of(),
                0,
                "k",
                "t",
                List.of(),
                SETTINGS.reportGrace(),
                SETTINGS.imagePullTimeout(),
                null,
                null,
                null));
  }

  @Test
  void idlePodHasTheJobsShapeAndNoRunEnvironment() {
    var d =
        dispatch()
            .setPod(
                dev.baton.events.PodOptions.newBuilder()
                    .setResources(Map.of("limits.memory", "1Gi"))
                    .setWarm(dev.baton.events.WarmPool.newBuilder().setMin(1).build())
                    .build())
            .build();
    PoolSpec pool = PoolSpec.of(d, SETTINGS);
    var pod = JobPodBuilder.idlePod(pool.name() + "-abc", pool, SETTINGS);
    var c = pod.getSpec().getContainers().get(0);
    assertEquals(d.getImage(), c.getImage());
    assertEquals(List.of("sleep", "2147483647"), c.getCommand());
    assertEquals("1Gi", c.getResources().getLimits().get("memory").toString());
    assertEquals(true, pod.getSpec().getSecurityContext().getRunAsNonRoot());
    assertEquals(
        List.of("BATON_BOOTSTRAP_SERVERS", "BATON_COMPLETIONS_TOPIC"),
        c.getEnv().stream().map(e -> e.getName()).toList());
    assertEquals("idle", pod.getMetadata().getLabels().get(PodNames.POOL_STATE));
    assertEquals(
        pool,
        PoolSpec.fromJson(pod.getMetadata().getAnnotations().get(PodNames.POOL_SPEC), SETTINGS),
        "the pool travels with its pods");
    assertEquals(
        pool.name(),
        PoolSpec.of(dispatch().setRunId("other-run").setPod(d.getPod()).build(), SETTINGS).name(),
        "same shape, same pool, whatever the run");
  }

  @Test
  void execRunsTheArgvThroughEnvWithTheAttemptsEnvironment() {
    var d = dispatch().build();
    List<String> argv = WarmExec.command(d, SETTINGS);
    assertEquals("env", argv.get(0));
    assertEquals(List.of("load", "--rows", "42"), argv.subList(argv.size() - 3, argv.size()));
    org.junit.jupiter.api.Assertions.assertTrue(
        argv.contains("BATON_ATTEMPT_ID=" + d.getAttemptId()), argv.toString());
    org.junit.jupiter.api.Assertions.assertTrue(
        argv.contains("BATON_OUTPUTS=" + WarmExec.outputsPath(d)), argv.toString());
  }

  @Test
  void warmPoolsByImageFromTheDispatchersSettings() {
    var pools = KubernetesSettings.imagePools("busybox:1.36=1/5/10m; python:3.12=0/3/30s/reuse");
    assertEquals(1, pools.get("busybox:1.36").getMin());
    assertEquals(600_000L, pools.get("busybox:1.36").getIdleTimeoutMs());
    assertEquals(true, pools.get("python:3.12").getReuse());
    assertThrows(
        IllegalArgumentException.class, () -> KubernetesSettings.imagePools("busybox=3/2/1m"));
    assertThrows(
        IllegalArgumentException.class, () -> KubernetesSettings.imagePools("busybox=1/2"));
  }

  @Test
  void secretsTravelAsReferencesAndPodsMayReportWithKafkaSettingsFromASecret() {
    var d =
        dispatch()
            .setSecretEnv(Map.of("TOKEN", new dev.baton.events.SecretRef("api", "token")))
            .build();
    var withSecret = KubernetesSettings.builder("jobs", "kafka:9092", "baton.completions");
    withSecret.podKafkaSecret = "baton-kafka-client";
    var c = JobPodBuilder.build(d, withSecret.build()).getSpec().getContainers().get(0);
    var token =
        c.getEnv().stream().filter(e -> e.getName().equals("TOKEN")).findFirst().orElseThrow();
    assertEquals(null, token.getValue());
    assertEquals("api", token.getValueFrom().getSecretKeyRef().getName());
    assertEquals("token", token.getValueFrom().getSecretKeyRef().getKey());
    assertEquals(
        "TOKEN",
        c.getEnv().stream()
            .filter(e -> e.getName().equals("BATON_SECRET_ENV"))
            .findFirst()
            .orElseThrow()
            .getValue());
    assertEquals("baton-kafka-client", c.getEnvFrom().get(0).getSecretRef().getName());
    assertEquals(
        null,
        PoolSpec.of(
            JobDispatch.newBuilder(d)
                .setPod(
                    dev.baton.events.PodOptions.newBuilder()
                        .setWarm(dev.baton.events.WarmPool.newBuilder().build())
                        .build())
                .build(),
            SETTINGS),
        "jobs with secrets take the cold path");
  }
}
