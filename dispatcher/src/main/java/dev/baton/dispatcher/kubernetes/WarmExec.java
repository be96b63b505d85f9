package dev.baton.dispatcher.kubernetes;

import dev.baton.concurrent.DaemonThreads;
import dev.baton.dispatcher.OutputTail;
import dev.baton.dispatcher.Reports;
import dev.baton.dispatcher.local.OutputsFile;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an attempt inside a claimed warm pod through the exec API: {@code env NAME=value ... argv}
 * (no shell: {@code env} sets the run's environment and execs the job's argv), follows its exit
 * code and output, reads the outputs file with a second exec ({@code cat}), publishes the
 * completion as a cold pod's report would, then releases the pod. A pod that goes away during the
 * job is reported FAILED, like a cold pod's death; a stopped attempt is not reported.
 */
final class WarmExec implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WarmExec.class);
  private static final int TAIL_BYTES = 4096;

  /** Most time a job without a timeout may hold a warm pod (and a slot). */
  static final Duration MAX_UNTIMED = Duration.ofHours(24);

  /** Most times the outputs file is read when the exec that reads it fails. */
  static final int OUTPUT_READS = 3;

  private final KubernetesClient client;
  private final KubernetesSettings settings;
  private final WarmPools pools;
  private final Map<String, String> running = new ConcurrentHashMap<>();
  private final Set<String> stopping = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(DaemonThreads.named("baton-warm-exec"));

  WarmExec(KubernetesClient client, KubernetesSettings settings, WarmPools pools) {
    this.client = client;
    this.settings = settings;
    this.pools = pools;
  }

  /** False when the attempt is already running here. */
  boolean start(JobDispatch d, String pod, PoolSpec spec, Consumer<JobCompletion> onEnd) {
    if (running.putIfAbsent(d.getAttemptId(), pod) != null) {
      return false;
    }
    threads.execute(
        () -> {
          try {
            JobCompletion completion = run(d, pod);
            if (!stopping.remove(d.getAttemptId())) {
              onEnd.accept(completion);
            }
          } finally {
            running.remove(d.getAttemptId());
            pools.release(pod, spec);
          }
        });
    return true;
  }

  /** The argv the exec runs: the attempt's environment through {@code env}, then the job's argv. */
  static List<String> command(JobDispatch d, KubernetesSettings s) {
    List<String> argv = new ArrayList<>();
    argv.add("env");
    for (EnvVar e : JobPodBuilder.env(d, s)) {
      if (e.getValue() == null) {
        continue; // a reference (secretKeyRef): never passed through an exec
      }
      String value = e.getName().equals("BATON_OUTPUTS") ? outputsPath(d) : e.getValue();
      argv.add(e.getName() + "=" + value);
    }
    argv.addAll(s.wrapper());
    argv.addAll(d.getCommand());
    return argv;
  }

  static String outputsPath(JobDispatch d) {
    return JobPodBuilder.OUTPUTS_DIR + "/outputs-" + PodNames.of(d.getAttemptId());
  }

  private JobCompletion run(JobDispatch d, String pod) {
    Instant started = Instant.now();
    // Only the ends of what the job writes are reported: only they are kept.
    OutputTail out = new OutputTail(TAIL_BYTES);
    OutputTail err = new OutputTail(TAIL_BYTES);
    LOG.info("running {} in warm pod {}", d.getAttemptId(), pod);
    try (PodExec exec =
        exec(pod, out.stream(), err.stream(), command(d, settings).toArray(String[]::new))) {
      long limit = d.getTimeoutMs() == null ? MAX_UNTIMED.toMillis() : d.getTimeoutMs();
      Integer code = exec.exitCode().get(limit, TimeUnit.MILLISECONDS);
      exec.awaitOutput();
      if (code == null || code < 0) {
        return ended(
            d,
            CompletionStatus.FAILED,
            "warm pod " + pod + " went away during the job",
            out,
            started);
      }
      if (code != 0) {
        return Reports.ended(
            d,
            "warm-pod",
            CompletionStatus.FAILED,
            code,
            Map.of(),
            tail(err),
            tail(out),
            started,
            Instant.now());
      }
      return Reports.ended(
          d,
          "warm-pod",
          CompletionStatus.SUCCEEDED,
          0,
          outputs(d, pod),
          tail(err),
          tail(out),
          started,
          Instant.now());
    } catch (TimeoutException e) {
      client.pods().inNamespace(settings.namespace()).withName(pod).withGracePeriod(0).delete();
      return ended(
          d,
          CompletionStatus.TIMED_OUT,
          d.getTimeoutMs() == null
              ? "ran past "
                  + MAX_UNTIMED.toMillis()
                  + " ms, the most a job without a timeout may run in a warm pod"
              : "timed out after " + d.getTimeoutMs() + " ms",
          out,
          started);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ended(
          d, CompletionStatus.FAILED, "the dispatcher stopped while the job ran", out, started);
    } catch (Exception e) {
      return ended(
          d,
          CompletionStatus.FAILED,
          "warm pod " + pod + " went away during the job: " + e.getMessage(),
          out,
          started);
    }
  }

  /** An attempt that ended without an exit code of its own, for {@code why}. */
  private static JobCompletion ended(
      JobDispatch d, CompletionStatus status, String why, OutputTail out, Instant started) {
    return Reports.ended(
        d, "warm-pod", status, null, Map.of(), why, tail(out), started, Instant.now());
  }

  private PodExec exec(String pod, OutputStream out, OutputStream err, String... command) {
    return PodExec.open(client, settings.namespace(), pod, out, err, command);
  }

  /**
   * The attempt's outputs file, read with {@code cat}; read again (up to {@link #OUTPUT_READS}
   * times) when the exec itself fails, as when its connection is lost before it opens: reading is
   * harmless to repeat.
   */
  private Map<String, String> outputs(JobDispatch d, String pod) {
    for (int read = 1; ; read++) {
      try {
        return readOutputs(d, pod);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Map.of();
      } catch (Exception e) {
        LOG.warn(
            "reading the outputs of {} in pod {} (read {} of {}): {}",
            d.getAttemptId(),
            pod,
            read,
            OUTPUT_READS,
            e.toString());
        if (read == OUTPUT_READS) {
          return Map.of();
        }
      }
    }
  }

  private Map<String, String> readOutputs(JobDispatch d, String pod) throws Exception {
    // The file's last bytes, one more than it may have: a larger one is refused.
    OutputTail out = new OutputTail(OutputsFile.MAX_BYTES + 1);
    try (PodExec exec = exec(pod, out.stream(), null, "cat", outputsPath(d))) {
      Integer code = exec.exitCode().get(30, TimeUnit.SECONDS);
      exec.awaitOutput();
      String text = out.text();
      if (text.getBytes(StandardCharsets.UTF_8).length > OutputsFile.MAX_BYTES) {
        LOG.warn(
            "outputs of {} are larger than {} bytes: left out",
            d.getAttemptId(),
            OutputsFile.MAX_BYTES);
        return Map.of();
      }
      return code != null && code == 0 ? OutputsFile.parse(text) : Map.of();
    }
  }

  /**
   * Deletes the pod of a running attempt; its end is not reported. False when the attempt is not
   * here.
   */
  boolean stop(String attemptId) {
    String pod = running.get(attemptId);
    if (pod == null) {
      return false;
    }
    stopping.add(attemptId);
    client.pods().inNamespace(settings.namespace()).withName(pod).withGracePeriod(0).delete();
    return true;
  }

  boolean isRunning(String attemptId) {
    return running.containsKey(attemptId);
  }

  int running() {
    return running.size();
  }

  private static String tail(OutputTail stream) {
    String text = stream.text();
    return text.isBlank() ? null : text;
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
