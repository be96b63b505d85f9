package dev.baton.dispatcher.kubernetes;

import dev.baton.dispatcher.JobEnvironment;
import dev.baton.events.JobDispatch;
import dev.baton.events.PodOptions;
import dev.baton.security.Secrets;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Builds the pod of one job attempt. Pure: no API call; the same dispatch and settings give the
 * same pod. The job's argv is the container's command (the deployment's wrapper, if any, in front);
 * the pod runs as a non-root user with no privilege escalation and no capabilities, never restarts,
 * and is bounded by the job's timeout ({@code activeDeadlineSeconds}).
 */
public final class JobPodBuilder {
  public static final String OUTPUTS_DIR = "/tmp/baton";

  /** Where a pod's artifacts are: in/ before the job starts, out/ for it to write. */
  public static final String ARTIFACTS_DIR = OUTPUTS_DIR + "/artifacts";

  private JobPodBuilder() {}

  public static Pod build(JobDispatch d, KubernetesSettings s) {
    return build(d, s, Map.of());
  }

  /** As above, with {@code artifactEnv}: the variables that move the job's artifacts. */
  public static Pod build(JobDispatch d, KubernetesSettings s, Map<String, String> artifactEnv) {
    if (d.getImage() == null || d.getImage().isBlank()) {
      throw new IllegalArgumentException(
          "job '" + d.getJob() + "' has no image: the kubernetes runtime needs one");
    }
    PodOptions options = d.getPod();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(PodNames.MANAGED_BY, "baton");
    labels.put(PodNames.RUN_ID, PodNames.labelValue(d.getRunId()));
    labels.put(PodNames.JOB, PodNames.labelValue(d.getJob()));
    labels.put(PodNames.ATTEMPT, Integer.toString(d.getAttempt()));
    if (d.getItem() != null) {
      labels.put(PodNames.ITEM, Integer.toString(d.getItem()));
    }
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(PodNames.of(d.getAttemptId()))
            .withNamespace(s.namespace())
            .withLabels(labels)
            .addToAnnotations(PodNames.ATTEMPT_ID, d.getAttemptId())
            .addToAnnotations(PodNames.RUN_ID, d.getRunId())
            .addToAnnotations(PodNames.JOB, d.getJob())
            .addToAnnotations("baton.io/template", d.getTemplate() + "@" + d.getTemplateVersion())
            .endMetadata();
    List<String> command = new ArrayList<>(s.wrapper());
    command.addAll(d.getCommand());
    List<EnvVar> env = new ArrayList<>(env(d, s));
    artifactEnv.forEach((k, v) -> env.add(new EnvVar(k, v, null)));
    spec(pod, s, options, container(d.getImage(), command, env, s, options));
    if (d.getTimeoutMs() != null) {
      pod.editSpec()
          .withActiveDeadlineSeconds(Math.max(1, (d.getTimeoutMs() + 999) / 1000))
          .endSpec();
    }
    return pod.build();
  }

  /**
   * An idle pod of a warm pool: the job's image, resources and placement, a command that waits and
   * uses no CPU, and only the environment that does not depend on a run. A claimed pod runs its job
   * by exec with the run's environment ({@link WarmPools}).
   */
  static Pod idlePod(String name, PoolSpec pool, KubernetesSettings s) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(PodNames.MANAGED_BY, "baton");
    labels.put(PodNames.POOL, pool.name());
    labels.put(PodNames.POOL_STATE, PodNames.IDLE);
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(s.namespace())
            .withLabels(labels)
            .addToAnnotations(PodNames.POOL_SPEC, pool.toJson())
            .endMetadata();
    List<EnvVar> env =
        List.of(
            new EnvVar("BATON_BOOTSTRAP_SERVERS", s.podBootstrapServers(), null),
            new EnvVar("BATON_COMPLETIONS_TOPIC", s.completionsTopic(), null));
    return spec(
            pod,
            s,
            pool.options(),
            container(pool.image(), s.idleCommand(), env, s, pool.options()))
        .build();
  }

  private static PodBuilder spec(
      PodBuilder pod, KubernetesSettings s, PodOptions options, Container container) {
    pod.withNewSpec()
        .withRestartPolicy("Never")
        .withAutomountServiceAccountToken(false)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(s.runAsUser())
        .withRunAsGroup(s.runAsUser())
        .withFsGroup(s.runAsUser())
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withContainers(container)
        .addNewVolume()
        .withName("baton")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .endSpec();
    String serviceAccount =
        options != null && options.getServiceAccountName() != null
            ? options.getServiceAccountName()
            : s.serviceAccountName();
    if (serviceAccount != null) {
      pod.editSpec().withServiceAccountName(serviceAccount).endSpec();
    }
    LinkedHashSet<String> pullSecrets = new LinkedHashSet<>(s.imagePullSecrets());
    if (options != null) {
      pullSecrets.addAll(options.getImagePullSecrets());
      pod.editSpec()
          .withNodeSelector(options.getNodeSelector().isEmpty() ? null : options.getNodeSelector())
          .withTolerations(tolerations(options.getTolerations()))
          .endSpec();
    }
    pod.editSpec()
        .withImagePullSecrets(pullSecrets.stream().map(LocalObjectReference::new).toList())
        .endSpec();
    return pod;
  }

  private static Container container(
      String image,
      List<String> command,
      List<EnvVar> env,
      KubernetesSettings s,
      PodOptions options) {
    Map<String, String> resources = new LinkedHashMap<>(s.defaultResources());
    if (options != null) {
      resources.putAll(options.getResources());
    }
    Map<String, Quantity> requests = new LinkedHashMap<>();
    Map<String, Quantity> limits = new LinkedHashMap<>();
    resources.forEach(
        (k, v) ->
            (k.startsWith("requests.") ? requests : limits)
                .put(k.substring(k.indexOf('.') + 1), new Quantity(v)));
    return new ContainerBuilder()
        .withName("job")
        .withImage(image)
        .withCommand(command)
        .withEnv(env)
        .withEnvFrom(
            s.podKafkaSecret() == null
                ? List.of()
                : List.of(
                    new EnvFromSourceBuilder()
                        .withNewSecretRef()
                        .withName(s.podKafkaSecret())
                        .endSecretRef()
                        .build()))
        .withNewResources()
        .withRequests(requests)
        .withLimits(limits)
        .endResources()
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withPrivileged(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .addNewVolumeMount()
        .withName("baton")
        .withMountPath(OUTPUTS_DIR)
        .endVolumeMount()
        .withTerminationMessagePath("/dev/termination-log")
        .withTerminationMessagePolicy("File")
        .build();
  }

  static List<EnvVar> env(JobDispatch d, KubernetesSettings s) {
    Map<String, String> env = JobEnvironment.of(d, OUTPUTS_DIR + "/outputs");
    env.put("BATON_BOOTSTRAP_SERVERS", s.podBootstrapServers());
    env.put("BATON_COMPLETIONS_TOPIC", s.completionsTopic());
    if (!d.getSecretEnv().isEmpty()) {
      env.put(Secrets.SECRET_ENV_NAMES, String.join(",", d.getSecretEnv().keySet()));
    }
    List<EnvVar> vars =
        new ArrayList<>(
            env.entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList());
    // Secrets by reference: the kubelet reads the Secret; its value is never in the pod spec, the
    // dispatch or an event.
    d.getSecretEnv()
        .forEach(
            (name, ref) ->
                vars.add(
                    new EnvVarBuilder()
                        .withName(name)
                        .withNewValueFrom()
                        .withNewSecretKeyRef()
                        .withName(ref.getName())
                        .withKey(ref.getKey())
                        .endSecretKeyRef()
                        .endValueFrom()
                        .build()));
    return vars;
  }

  private static List<Toleration> tolerations(List<Map<String, String>> specs) {
    List<Toleration> out = new ArrayList<>();
    for (Map<String, String> t : specs) {
      TolerationBuilder b =
          new TolerationBuilder()
              .withKey(t.get("key"))
              .withOperator(t.get("operator"))
              .withValue(t.get("value"))
              .withEffect(t.get("effect"));
      if (t.containsKey("tolerationSeconds")) {
        b.withTolerationSeconds(Long.parseLong(t.get("tolerationSeconds")));
      }
      out.add(b.build());
    }
    return out;
  }
}
