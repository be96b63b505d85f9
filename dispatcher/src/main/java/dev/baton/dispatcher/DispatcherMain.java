package dev.baton.dispatcher;

import dev.baton.dispatcher.kubernetes.KubernetesRuntime;
import dev.baton.dispatcher.kubernetes.KubernetesSettings;
import dev.baton.dispatcher.local.LocalProcessRuntime;
import dev.baton.health.HealthServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The dispatcher as its own process, configured by BATON_* variables. {@code BATON_RUNTIME} (local
 * or kubernetes) is the default runtime; the Kubernetes runtime is also started when {@code
 * BATON_KUBERNETES=enabled}, so jobs can choose it with {@code runtime: kubernetes}. The Kubernetes
 * client finds its cluster the usual fabric8 way (kubeconfig, or the in-cluster service account).
 */
public final class DispatcherMain {
  private DispatcherMain() {}

  public static void main(String[] args) throws Exception {
    try {
      run();
    } catch (IllegalArgumentException | IllegalStateException e) {
      // Bad settings, refused credentials: one clear line and a non-zero exit, not a process left
      // hanging.
      System.err.println("baton dispatcher: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void run() throws Exception {
    Map<String, String> env = System.getenv();
    DispatcherConfig config = DispatcherConfig.fromEnv(env);
    String defaultRuntime = env.getOrDefault("BATON_RUNTIME", "local");
    Map<String, JobRuntime> runtimes = new LinkedHashMap<>();
    runtimes.put("local", new LocalProcessRuntime(config.workDir(), config.tailBytes()));
    if (defaultRuntime.equals("kubernetes") || "enabled".equals(env.get("BATON_KUBERNETES"))) {
      runtimes.put("kubernetes", kubernetes(env, config));
    }
    var metrics = dev.baton.metrics.Metrics.prometheus();
    Dispatcher dispatcher =
        new Dispatcher(config, new RuntimeRouter(runtimes, defaultRuntime), metrics).start();
    HealthServer health =
        new HealthServer(
            Integer.parseInt(env.getOrDefault("BATON_HEALTH_PORT", "8080")),
            dispatcher::live,
            dispatcher::ready,
            metrics::scrape);
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

  static KubernetesRuntime kubernetes(Map<String, String> env, DispatcherConfig config)
      throws InterruptedException {
    KubernetesClient client = new KubernetesClientBuilder().build();
    KubernetesSettings settings =
        KubernetesSettings.fromEnv(
            env,
            client.getNamespace() == null ? "default" : client.getNamespace(),
            config.bootstrapServers(),
            config.topics().completions());
    return new KubernetesRuntime(
            client,
            settings,
            config.bootstrapServers(),
            config.kafka(),
            config.wire(),
            config.tokens())
        .start();
  }
}
