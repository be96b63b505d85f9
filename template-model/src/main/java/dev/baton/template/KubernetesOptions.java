package dev.baton.template;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A job's Kubernetes settings ({@code kubernetes:} in a template). {@code resources} keys are
 * {@code requests.cpu}, {@code requests.memory}, {@code limits.cpu}, {@code limits.memory}; what a
 * job leaves out comes from the dispatcher's defaults.
 */
public record KubernetesOptions(
    Map<String, String> resources,
    Map<String, String> nodeSelector,
    List<Map<String, String>> tolerations,
    String serviceAccountName,
    List<String> imagePullSecrets,
    WarmPool warm) {

  /**
   * {@code warm:} keep idle pods of this job's shape ({@code min} even without work, at most {@code
   * max} in all); a dispatch claims one and runs the job in it. Without a claim for {@code
   * idleTimeout} the pool shrinks to {@code min}. {@code reuse}: a pod goes back to the pool after
   * its job instead of being deleted.
   */
  public record WarmPool(int min, int max, Duration idleTimeout, boolean reuse) {}

  public static final List<String> RESOURCE_KEYS =
      List.of("requests.cpu", "requests.memory", "limits.cpu", "limits.memory");
  public static final List<String> TOLERATION_KEYS =
      List.of("key", "operator", "value", "effect", "tolerationSeconds");

  public KubernetesOptions {
    resources = Ordered.copy(resources);
    nodeSelector = Ordered.copy(nodeSelector);
    tolerations = tolerations.stream().map(Ordered::copy).toList();
    imagePullSecrets = List.copyOf(imagePullSecrets);
  }
}
