package dev.baton.dispatcher.kubernetes;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the dispatcher makes pods. From {@code BATON_K8S_*} variables: namespace (default: the
 * client's, from kubeconfig or the in-cluster service account), default resources, service
 * account, image pull secrets, the user pods run as, the bootstrap servers and topic pods report
 * to, an optional wrapper prepended to every job's argv (an entrypoint that runs the job and
 * publishes its completion), how long the watcher waits for a pod's own report, and how long an
 * image may fail to pull.
 */
public record KubernetesSettings(
    String namespace,
    Map<String, String> defaultResources,
    String serviceAccountName,
    List<String> imagePullSecrets,
    long runAsUser,
    String podBootstrapServers,
    String completionsTopic,
    List<String> wrapper,
    Duration reportGrace,
    Duration imagePullTimeout) {

  public KubernetesSettings {
    defaultResources = Map.copyOf(defaultResources);
    imagePullSecrets = List.copyOf(imagePullSecrets);
    wrapper = List.copyOf(wrapper);
    if (runAsUser <= 0) {
      throw new IllegalArgumentException("BATON_K8S_RUN_AS_USER must be a non-root uid (> 0), got " + runAsUser);
    }
  }

  public static Map<String, String> defaultResourceValues() {
    Map<String, String> r = new LinkedHashMap<>();
    r.put("requests.cpu", "100m");
    r.put("requests.memory", "128Mi");
    r.put("limits.cpu", "1");
    r.put("limits.memory", "512Mi");
    return r;
  }

  public static KubernetesSettings defaults(String namespace, String bootstrapServers, String completionsTopic) {
    return new KubernetesSettings(namespace, defaultResourceValues(), null, List.of(), 1000, bootstrapServers, completionsTopic,
        List.of(), Duration.ofSeconds(10), Duration.ofMinutes(2));
  }

  public KubernetesSettings withReportGrace(Duration grace) {
    return new KubernetesSettings(namespace, defaultResources, serviceAccountName, imagePullSecrets, runAsUser, podBootstrapServers,
        completionsTopic, wrapper, grace, imagePullTimeout);
  }

  public static KubernetesSettings fromEnv(Map<String, String> env, String namespace, String bootstrapServers, String completionsTopic) {
    Map<String, String> resources = defaultResourceValues();
    resources.replaceAll((k, v) -> env.getOrDefault("BATON_K8S_" + k.toUpperCase().replace('.', '_'), v));
    try {
      return new KubernetesSettings(
          env.getOrDefault("BATON_K8S_NAMESPACE", namespace),
          resources,
          env.get("BATON_K8S_SERVICE_ACCOUNT"),
          list(env.get("BATON_K8S_IMAGE_PULL_SECRETS")),
          Long.parseLong(env.getOrDefault("BATON_K8S_RUN_AS_USER", "1000")),
          env.getOrDefault("BATON_K8S_POD_BOOTSTRAP_SERVERS", bootstrapServers),
          completionsTopic,
          list(env.get("BATON_K8S_WRAPPER")),
          Duration.ofMillis(Long.parseLong(env.getOrDefault("BATON_K8S_REPORT_GRACE_MS", "10000"))),
          Duration.ofMillis(Long.parseLong(env.getOrDefault("BATON_K8S_IMAGE_PULL_TIMEOUT_MS", "120000"))));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a numeric BATON_K8S_* setting is not a number: " + e.getMessage(), e);
    }
  }

  private static List<String> list(String csv) {
    return csv == null || csv.isBlank() ? List.of() : Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
