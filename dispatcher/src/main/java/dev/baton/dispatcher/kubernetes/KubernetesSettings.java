package dev.baton.dispatcher.kubernetes;

import dev.baton.events.WarmPool;
import dev.baton.settings.DurationText;
import dev.baton.settings.Settings;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the dispatcher makes pods. From {@code BATON_K8S_*} variables: namespace (default: the
 * client's, from kubeconfig or the in-cluster service account), default resources, service account,
 * image pull secrets, the user pods run as, the bootstrap servers and topic pods report to, an
 * optional wrapper prepended to every job's argv (an entrypoint that runs the job and publishes its
 * completion), how long the watcher waits for a pod's own report, how long an image may fail to
 * pull, the command idle pods of warm pools wait in (default {@code sleep 2147483647}), warm pools
 * by image, and the Secret whose {@code BATON_KAFKA_*} variables job pods report with ({@code
 * BATON_K8S_POD_KAFKA_SECRET}: SASL and TLS settings for their Kafka client).
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
    Duration imagePullTimeout,
    List<String> idleCommand,
    Map<String, WarmPool> imagePools,
    String podKafkaSecret) {

  public KubernetesSettings {
    defaultResources = Map.copyOf(defaultResources);
    imagePullSecrets = List.copyOf(imagePullSecrets);
    wrapper = List.copyOf(wrapper);
    idleCommand =
        idleCommand == null || idleCommand.isEmpty()
            ? List.of("sleep", "2147483647")
            : List.copyOf(idleCommand);
    imagePools = imagePools == null ? Map.of() : Map.copyOf(imagePools);
    if (runAsUser <= 0) {
      throw new IllegalArgumentException(
          "BATON_K8S_RUN_AS_USER must be a non-root uid (> 0), got " + runAsUser);
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

  public static KubernetesSettings defaults(
      String namespace, String bootstrapServers, String completionsTopic) {
    return builder(namespace, bootstrapServers, completionsTopic).build();
  }

  /** The defaults, to change before {@link Builder#build}. */
  public static Builder builder(
      String namespace, String bootstrapServers, String completionsTopic) {
    Builder b = new Builder();
    b.namespace = namespace;
    b.podBootstrapServers = bootstrapServers;
    b.completionsTopic = completionsTopic;
    return b;
  }

  /**
   * The settings of a {@link KubernetesSettings} to be built, as public fields; those left unset
   * take the documented defaults.
   */
  public static final class Builder {
    public String namespace;
    public Map<String, String> defaultResources = defaultResourceValues();
    public String serviceAccountName;
    public List<String> imagePullSecrets = List.of();
    public long runAsUser = 1000;
    public String podBootstrapServers;
    public String completionsTopic;
    public List<String> wrapper = List.of();

    /** How long the watcher waits for a pod's own report after it ends. */
    public Duration reportGrace = Duration.ofSeconds(10);

    public Duration imagePullTimeout = Duration.ofMinutes(2);
    public List<String> idleCommand;

    /** Warm pools by image, for jobs whose template declares none. */
    public Map<String, WarmPool> imagePools;

    /**
     * Job pods take their Kafka client settings (BATON_KAFKA_* variables) from this Secret, for
     * reporting over SASL/TLS.
     */
    public String podKafkaSecret;

    private Builder() {}

    public KubernetesSettings build() {
      return new KubernetesSettings(
          namespace,
          defaultResources,
          serviceAccountName,
          imagePullSecrets,
          runAsUser,
          podBootstrapServers,
          completionsTopic,
          wrapper,
          reportGrace,
          imagePullTimeout,
          idleCommand,
          imagePools,
          podKafkaSecret);
    }
  }

  /**
   * {@code BATON_K8S_WARM_POOLS}: {@code image=min/max/idleTimeout[/reuse]}, separated by {@code ;}
   * ({@code busybox:1.36=1/5/10m;python:3.12=0/3/5m/reuse}).
   */
  static Map<String, WarmPool> imagePools(String text) {
    Map<String, WarmPool> pools = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return pools;
    }
    for (String entry : text.split(";")) {
      int eq = entry.lastIndexOf('=');
      String[] parts = eq < 0 ? new String[0] : entry.substring(eq + 1).trim().split("/");
      if (eq <= 0
          || parts.length < 3
          || parts.length > 4
          || (parts.length == 4 && !parts[3].equals("reuse"))) {
        throw new IllegalArgumentException(
            "BATON_K8S_WARM_POOLS: '"
                + entry.trim()
                + "' is not image=min/max/idleTimeout[/reuse]");
      }
      Duration idle = DurationText.parse(parts[2]);
      int min = Integer.parseInt(parts[0]);
      int max = Integer.parseInt(parts[1]);
      if (idle == null || min < 0 || max < 1 || min > max) {
        throw new IllegalArgumentException(
            "BATON_K8S_WARM_POOLS: '"
                + entry.trim()
                + "' needs 0 <= min <= max, max >= 1 and a duration (10m)");
      }
      pools.put(
          entry.substring(0, eq).trim(),
          WarmPool.newBuilder()
              .setMin(min)
              .setMax(max)
              .setIdleTimeoutMs(idle.toMillis())
              .setReuse(parts.length == 4)
              .build());
    }
    return pools;
  }

  /**
   * From {@code BATON_K8S_*} settings; {@code namespace} when {@code BATON_K8S_NAMESPACE} is not
   * set.
   */
  public static KubernetesSettings from(
      Settings s, String namespace, String bootstrapServers, String completionsTopic) {
    Builder b =
        builder(s.get("BATON_K8S_NAMESPACE", namespace), bootstrapServers, completionsTopic);
    b.defaultResources.replaceAll(
        (k, v) -> s.get("BATON_K8S_" + k.toUpperCase(Locale.ROOT).replace('.', '_'), v));
    b.serviceAccountName = s.get("BATON_K8S_SERVICE_ACCOUNT");
    b.imagePullSecrets = list(s.get("BATON_K8S_IMAGE_PULL_SECRETS"));
    b.runAsUser = s.number("BATON_K8S_RUN_AS_USER", b.runAsUser);
    b.podBootstrapServers = s.get("BATON_K8S_POD_BOOTSTRAP_SERVERS", bootstrapServers);
    b.wrapper = list(s.get("BATON_K8S_WRAPPER"));
    b.reportGrace = s.millis("BATON_K8S_REPORT_GRACE_MS", b.reportGrace);
    b.imagePullTimeout = s.millis("BATON_K8S_IMAGE_PULL_TIMEOUT_MS", b.imagePullTimeout);
    b.idleCommand = list(s.get("BATON_K8S_IDLE_COMMAND"));
    b.imagePools = imagePools(s.get("BATON_K8S_WARM_POOLS"));
    b.podKafkaSecret = s.get("BATON_K8S_POD_KAFKA_SECRET");
    return b.build();
  }

  private static List<String> list(String csv) {
    return csv == null || csv.isBlank()
        ? List.of()
        : Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
