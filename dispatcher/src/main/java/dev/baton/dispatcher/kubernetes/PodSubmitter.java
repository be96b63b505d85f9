package dev.baton.dispatcher.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a pod if it is absent. {@code AlreadyExists} means the attempt is already running (a
 * redelivered dispatch); a spec the API server rejects (4xx) is final; anything else (5xx, I/O) is
 * retried with backoff, then given up.
 */
public final class PodSubmitter {
  private static final Logger LOG = LoggerFactory.getLogger(PodSubmitter.class);

  public sealed interface Result {}

  public record Created(String name) implements Result {}

  public record AlreadyRunning(String name) implements Result {}

  /** The API server refused the pod; {@code message} is its reason. */
  public record Rejected(String message) implements Result {}

  /** The API server could not be reached in time. */
  public record Unavailable(String message) implements Result {}

  private final KubernetesClient client;
  private final int attempts;
  private final Duration firstBackoff;

  public PodSubmitter(KubernetesClient client, int attempts, Duration firstBackoff) {
    this.client = client;
    this.attempts = attempts;
    this.firstBackoff = firstBackoff;
  }

  public Result submit(Pod pod) {
    String name = pod.getMetadata().getName();
    Duration backoff = firstBackoff;
    String last = "";
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
        return new Created(name);
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          return new AlreadyRunning(name);
        }
        if (e.getCode() >= 400 && e.getCode() < 500) {
          return new Rejected(
              e.getStatus() != null && e.getStatus().getMessage() != null
                  ? e.getStatus().getMessage()
                  : e.getMessage());
        }
        last = e.getMessage();
        LOG.warn("creating pod {} failed (attempt {} of {}): {}", name, attempt, attempts, last);
      }
      if (attempt < attempts) {
        sleep(backoff);
        backoff = backoff.multipliedBy(4);
      }
    }
    return new Unavailable(last);
  }

  private static void sleep(Duration d) {
    try {
      TimeUnit.MILLISECONDS.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
