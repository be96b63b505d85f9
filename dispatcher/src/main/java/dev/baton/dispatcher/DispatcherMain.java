package dev.baton.dispatcher;

import dev.baton.artifacts.ArtifactSettings;
import dev.baton.artifacts.ArtifactStore;
import dev.baton.artifacts.S3ArtifactStore;
import dev.baton.dispatcher.artifacts.ArtifactTransfers;
import dev.baton.dispatcher.kubernetes.KubernetesRuntime;
import dev.baton.dispatcher.kubernetes.KubernetesSettings;
import dev.baton.dispatcher.local.LocalProcessRuntime;
import dev.baton.health.HealthServer;
import dev.baton.metrics.Metrics;
import dev.baton.settings.Settings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The dispatcher as its own process, configured by {@code BATON_*} settings ({@link
 * DispatcherConfig}). The Kubernetes client finds its cluster the usual fabric8 way (kubeconfig, or
 * the in-cluster service account).
 */
public final class DispatcherMain {
  private DispatcherMain() {}

  public static void main(String[] args) throws Exception {
    try {
      run(Settings.of(System.getenv()));
    } catch (IllegalArgumentException | IllegalStateException e) {
      // Bad settings, refused credentials: one clear line and a non-zero exit, not a process left
      // hanging.
      System.err.println("baton dispatcher: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void run(Settings settings) throws Exception {
    DispatcherConfig config = DispatcherConfig.from(settings);
    Map<String, JobRuntime> runtimes = new LinkedHashMap<>();
    var metrics = Metrics.prometheus();
    ArtifactSettings artifactSettings = ArtifactSettings.fromEnvironment(settings.asMap());
    ArtifactStore artifacts =
        artifactSettings == null ? null : new S3ArtifactStore(artifactSettings);
    runtimes.put(
        "local",
        new LocalProcessRuntime(
            config.workDir(),
            config.tailBytes(),
            config.secrets(),
            new ArtifactTransfers(artifacts, metrics)));
    if (config.kubernetes()) {
      runtimes.put(
          "kubernetes", kubernetes(settings, config, new ArtifactTransfers(artifacts, metrics)));
    }
    Dispatcher dispatcher =
        new Dispatcher(config, new RuntimeRouter(runtimes, config.defaultRuntime()), metrics)
            .start();
    HealthServer health =
        new HealthServer(config.healthPort(), dispatcher::live, dispatcher::ready, metrics::scrape);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  health.close();
                  dispatcher.close();
                  stopped.countDown();
                },
                "dispatcher-shutdown"));
    stopped.await();
  }

  static KubernetesRuntime kubernetes(
      Settings settings, DispatcherConfig config, ArtifactTransfers artifacts)
      throws InterruptedException {
    KubernetesClient client = new KubernetesClientBuilder().build();
    KubernetesSettings k8s =
        KubernetesSettings.from(
            settings,
            client.getNamespace() == null ? "default" : client.getNamespace(),
            config.bootstrapServers(),
            config.topics().completions());
    return new KubernetesRuntime(
            client,
            k8s,
            config.bootstrapServers(),
            config.kafka(),
            config.wire(),
            config.tokens(),
            artifacts)
        .start();
  }
}
