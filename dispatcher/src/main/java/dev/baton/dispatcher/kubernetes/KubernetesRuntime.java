package dev.baton.dispatcher.kubernetes;

import dev.baton.dispatcher.CompletionPublisher;
import dev.baton.dispatcher.JobRuntime;
import dev.baton.dispatcher.PendingReports;
import dev.baton.dispatcher.Reports;
import dev.baton.dispatcher.artifacts.ArtifactTransfers;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Wire;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each attempt as an on-demand pod: built by {@link JobPodBuilder}, created by {@link
 * PodSubmitter}, reported by the job itself (or by {@link PodWatcher} when it cannot), and deleted
 * when done. A job with a warm pool ({@link WarmPools}) runs in a claimed idle pod instead, by exec
 * ({@link WarmExec}), when one is free. Idle and without pools, it holds no pods. Closing it leaves
 * pods alone: the next dispatcher's watcher and pools pick them up.
 */
public final class KubernetesRuntime implements JobRuntime {
  /** Every verb this runtime uses on pods; k8s/ grants exactly these (a test checks). */
  public static final List<String> POD_VERBS =
      List.of("create", "delete", "get", "list", "patch", "watch");

  /** Verbs on pods/exec: running a job in a claimed warm pod. */
  public static final List<String> EXEC_VERBS = List.of("create");

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesRuntime.class);

  private final KubernetesClient client;
  private final KubernetesSettings settings;
  private final PodSubmitter submitter;
  private final CompletionTracker tracker;
  private final PodWatcher watcher;
  private final CompletionPublisher publisher;
  private final WarmPools pools;
  private final WarmExec warm;
  private final ArtifactTransfers artifacts;

  /**
   * {@code tokens}: the completion key, to sign the watcher's reports and to tell a job's real
   * report from a forged one.
   */
  public KubernetesRuntime(
      KubernetesClient client,
      KubernetesSettings settings,
      String bootstrapServers,
      Map<String, String> kafka,
      Wire wire,
      AttemptTokens tokens) {
    this(client, settings, bootstrapServers, kafka, wire, tokens, ArtifactTransfers.none());
  }

  /** As above; {@code artifacts} presigns the URLs a pod moves its artifacts with. */
  public KubernetesRuntime(
      KubernetesClient client,
      KubernetesSettings settings,
      String bootstrapServers,
      Map<String, String> kafka,
      Wire wire,
      AttemptTokens tokens,
      ArtifactTransfers artifacts) {
    this.artifacts = artifacts;
    this.client = client;
    this.settings = settings;
    this.submitter = new PodSubmitter(client, 4, Duration.ofMillis(200));
    // Kept in memory: a pod the watcher reports stays until its report is written, so a restarted
    // dispatcher's watcher finds the pod and reports it again.
    this.publisher =
        CompletionPublisher.forDispatcher(
            bootstrapServers,
            settings.completionsTopic(),
            kafka,
            wire,
            tokens,
            true,
            PendingReports.inMemory());
    this.tracker =
        new CompletionTracker(
            bootstrapServers,
            settings.completionsTopic(),
            Duration.ofHours(1),
            kafka,
            wire,
            tokens);
    this.watcher =
        new PodWatcher(client, settings, tracker.reported(), publisher::publish, Clock.systemUTC());
    this.pools = new WarmPools(client, settings, Clock.systemUTC(), Duration.ofSeconds(1));
    this.warm = new WarmExec(client, settings, pools);
  }

  /** Reads what was reported before, then watches pods. */
  public KubernetesRuntime start() throws InterruptedException {
    if (!tracker.awaitCaughtUp(Duration.ofSeconds(60))) {
      LOG.warn(
          "completion tracker did not catch up within 60 s; the watcher may wait longer before reporting");
    }
    watcher.start();
    pools.start();
    LOG.info(
        "kubernetes runtime: namespace {}, pods report to {} on {}",
        settings.namespace(),
        settings.completionsTopic(),
        settings.podBootstrapServers());
    return this;
  }

  @Override
  public boolean start(JobDispatch dispatch, Consumer<JobCompletion> onEnd) {
    Pod pod;
    boolean withArtifacts = ArtifactTransfers.declares(dispatch);
    try {
      pod =
          JobPodBuilder.build(dispatch, settings, withArtifacts ? artifactEnv(dispatch) : Map.of());
    } catch (IllegalArgumentException | ArtifactTransfers.TransferException e) {
      onEnd.accept(failed(dispatch, e.getMessage()));
      return true;
    }
    if (warm.isRunning(dispatch.getAttemptId())) {
      return false; // a repeated dispatch: claim nothing for it
    }
    // A job with artifacts runs on a pod of its own: the exec of a warm pod reports before its
    // wrapper has stored them.
    PoolSpec pool = withArtifacts ? null : pools.register(dispatch);
    if (pool != null) {
      String claimed = pools.claim(dispatch, pool);
      if (claimed != null) {
        return warm.start(dispatch, claimed, pool, onEnd);
      }
    }
    PodSubmitter.Result result = submitter.submit(pod);
    if (result instanceof PodSubmitter.Created c) {
      LOG.info("created pod {} for {}", c.name(), dispatch.getAttemptId());
      return true;
    }
    if (result instanceof PodSubmitter.AlreadyRunning) {
      return false;
    }
    String why =
        result instanceof PodSubmitter.Rejected r
            ? "the API server rejected the pod: " + r.message()
            : "cannot create the pod, API server unavailable: "
                + ((PodSubmitter.Unavailable) result).message();
    tracker.reported().reported(dispatch.getAttemptId());
    onEnd.accept(failed(dispatch, why));
    return true;
  }

  /**
   * The job's artifact directory and presigned URLs, good for its timeout (a day when it has none)
   * and an hour more, for the pod's wait to be scheduled: the pod never holds the store's
   * credentials.
   */
  private Map<String, String> artifactEnv(JobDispatch d)
      throws ArtifactTransfers.TransferException {
    long runMs = d.getTimeoutMs() == null ? Duration.ofDays(1).toMillis() : d.getTimeoutMs();
    Duration valid = Duration.ofMillis(runMs).plusHours(1);
    return Map.of(
        ArtifactTransfers.VARIABLE,
        JobPodBuilder.ARTIFACTS_DIR,
        ArtifactTransfers.URLS_VARIABLE,
        artifacts.presigned(d, valid));
  }

  private static JobCompletion failed(JobDispatch d, String why) {
    return Reports.failed(d, why);
  }

  /** Deletes the attempt's pod: cancel, or a timeout the engine enforced. */
  @Override
  public void stop(String attemptId) {
    if (warm.stop(attemptId)) {
      LOG.info("deleted the warm pod running {}", attemptId);
      return;
    }
    watcher.stopping(attemptId);
    var pod = client.pods().inNamespace(settings.namespace()).withName(PodNames.of(attemptId));
    if (pod.get() != null) {
      pod.withGracePeriod(5).delete();
      LOG.info("deleted pod {} of {}", PodNames.of(attemptId), attemptId);
    }
  }

  @Override
  public int running() {
    return watcher.active() + warm.running();
  }

  @Override
  public void close() {
    warm.close();
    pools.close();
    watcher.close();
    tracker.close();
    publisher.close();
  }
}
