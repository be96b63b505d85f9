package dev.baton.dispatcher.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecListener;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command run in a pod's {@code job} container through the exec API, its output written to
 * streams. The client writes output on a thread of its own, so the exit code can arrive before the
 * last bytes do; {@link #awaitOutput} waits for the socket's close, which the client reports only
 * after every write.
 */
final class PodExec implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PodExec.class);

  /** Most time the output of an exec may take to arrive after its exit code. */
  static final Duration OUTPUT_GRACE = Duration.ofSeconds(5);

  private final ExecWatch watch;
  private final CompletableFuture<Void> closed;

  private PodExec(ExecWatch watch, CompletableFuture<Void> closed) {
    this.watch = watch;
    this.closed = closed;
  }

  /** Starts {@code command} in {@code pod}; {@code err} may be null (standard error is dropped). */
  static PodExec open(
      KubernetesClient client,
      String namespace,
      String pod,
      OutputStream out,
      OutputStream err,
      String... command) {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    ExecListener whenClosed =
        new ExecListener() {
          @Override
          public void onClose(int code, String reason) {
            closed.complete(null);
          }

          @Override
          public void onFailure(Throwable t, Response failureResponse) {
            closed.complete(null);
          }
        };
    var container =
        client.pods().inNamespace(namespace).withName(pod).inContainer("job").writingOutput(out);
    var chosen = err == null ? container : container.writingError(err);
    return new PodExec(chosen.usingListener(whenClosed).exec(command), closed);
  }

  /** The exit code: null when the pod went away without one. */
  CompletableFuture<Integer> exitCode() {
    return watch.exitCode();
  }

  /** Waits, at most {@link #OUTPUT_GRACE}, until every byte of output has been written. */
  void awaitOutput() throws InterruptedException {
    try {
      closed.get(OUTPUT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("exec output did not end within {}: using what arrived", OUTPUT_GRACE);
    }
  }

  @Override
  public void close() {
    watch.close();
  }
}
