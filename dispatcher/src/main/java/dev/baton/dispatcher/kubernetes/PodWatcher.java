package dev.baton.dispatcher.kubernetes;

import dev.baton.concurrent.DaemonThreads;
import dev.baton.concurrent.RecentSet;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches Baton's pods (an informer on its label) and does not trust reports alone: a pod that
 * ended without its job reporting within the grace period gets a completion from here, with the
 * reason the pod shows (exit code, OOMKilled, DeadlineExceeded, Evicted, an image that will not
 * pull, deleted by someone). A finished pod is deleted once its completion is known: reported by
 * the job, or by this watcher and written to Kafka (a report not written yet keeps its pod, so a
 * restarted dispatcher finds the pod and reports it again). On start the informer lists every Baton
 * pod, so after a restart nothing is orphaned; the completion tracker keeps anything from being
 * reported twice.
 */
public final class PodWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PodWatcher.class);

  private final KubernetesClient client;
  private final KubernetesSettings settings;
  private final ReportedAttempts reported;
  private final Function<JobCompletion, CompletionStage<?>> publish;
  private final Clock clock;
  private final Map<String, Instant> endedSince = new ConcurrentHashMap<>();
  private final Map<String, Pod> deletedBeforeEnd = new ConcurrentHashMap<>();
  private final Map<String, Instant> deletedAt = new ConcurrentHashMap<>();

  /** Attempts stopped on purpose, remembered a day (their pods are gone long before). */
  private final RecentSet stoppedByUs = new RecentSet(Duration.ofDays(1), 100_000);

  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("baton-pod-watcher"));
  private SharedIndexInformer<Pod> informer;

  public PodWatcher(
      KubernetesClient client,
      KubernetesSettings settings,
      ReportedAttempts reported,
      Function<JobCompletion, CompletionStage<?>> publish,
      Clock clock) {
    this.client = client;
    this.settings = settings;
    this.reported = reported;
    this.publish = publish;
    this.clock = clock;
  }

  public PodWatcher start() {
    informer =
        client
            .pods()
            .inNamespace(settings.namespace())
            .withLabel(PodNames.MANAGED_BY, "baton")
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    reconcile(pod);
                  }

                  @Override
                  public void onUpdate(Pod old, Pod pod) {
                    reconcile(pod);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean finalStateUnknown) {
                    deleted(pod);
                  }
                },
                30_000);
    var unused = ticker.scheduleWithFixedDelay(this::tick, 250, 250, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Pods of Baton not finished yet, as the informer sees them. */
  public int active() {
    return informer == null
        ? 0
        : (int)
            informer.getStore().list().stream()
                .filter(p -> !PodOutcome.finished(p) && !inPool(p))
                .count();
  }

  /** Entries of what the watcher remembers of pods it follows now (they leave with the pods). */
  int following() {
    return endedSince.size() + deletedBeforeEnd.size() + deletedAt.size() + reporting.size();
  }

  @Override
  public String toString() {
    return "PodWatcher[ended, not reported "
        + endedSince.size()
        + "; deleted before their end "
        + deletedBeforeEnd.size()
        + "/"
        + deletedAt.size()
        + "; reports being written "
        + reporting.size()
        + "]";
  }

  /** Attempts remembered as stopped on purpose (bounded). */
  int stopped() {
    return stoppedByUs.size();
  }

  /** The attempt was stopped on purpose (cancel, timeout): its pod's deletion is not news. */
  void stopping(String attemptId) {
    stoppedByUs.add(attemptId);
  }

  private void tick() {
    try {
      informer.getStore().list().forEach(this::reconcile);
      Instant now = clock.instant();
      deletedAt.forEach(
          (id, at) -> {
            if (now.isAfter(at.plus(settings.reportGrace()))) {
              Pod pod = deletedBeforeEnd.remove(id);
              deletedAt.remove(id);
              if (pod != null && !reported.hasReported(id) && !stoppedByUs.contains(id)) {
                report(
                    pod,
                    new PodOutcome.Ended(
                        CompletionStatus.UNKNOWN,
                        null,
                        Map.of(),
                        "pod deleted before its job reported"));
              }
            }
          });
    } catch (RuntimeException e) {
      LOG.warn("pod watcher tick failed: {}", e.toString());
    }
  }

  /**
   * Pods of warm pools are not the watcher's: {@link WarmPools} keeps them and the exec reports
   * their jobs.
   */
  private static boolean inPool(Pod pod) {
    return pod.getMetadata().getLabels() != null
        && pod.getMetadata().getLabels().containsKey(PodNames.POOL);
  }

  private synchronized void reconcile(Pod pod) {
    if (inPool(pod)) {
      return;
    }
    String id = attemptId(pod);
    if (id == null || pod.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    Instant now = clock.instant();
    if (PodOutcome.finished(pod)) {
      if (reported.hasReported(id) || stoppedByUs.contains(id)) {
        delete(pod);
        return;
      }
      Instant since = endedSince.computeIfAbsent(id, k -> now);
      if (!now.isBefore(since.plus(settings.reportGrace()))) {
        report(pod, PodOutcome.of(pod));
      }
      return;
    }
    PodOutcome.imageProblem(pod, now, settings.imagePullTimeout())
        .ifPresent(
            problem -> {
              if (reported.hasReported(id)) {
                delete(pod);
              } else {
                report(pod, new PodOutcome.Ended(CompletionStatus.FAILED, null, Map.of(), problem));
              }
            });
  }

  private void deleted(Pod pod) {
    if (inPool(pod)) {
      return;
    }
    String id = attemptId(pod);
    endedSince.remove(id);
    if (id != null
        && !PodOutcome.finished(pod)
        && !stoppedByUs.contains(id)
        && !reported.hasReported(id)) {
      deletedBeforeEnd.put(id, pod);
      deletedAt.put(id, clock.instant());
    }
  }

  /** Attempts whose report this watcher sent and Kafka has not taken yet. */
  private final Set<String> reporting = ConcurrentHashMap.newKeySet();

  /**
   * Reports how the pod ended; once the report is written, the attempt counts as reported and its
   * pod, if it still stands, is deleted. While it is being written nothing is reported again.
   */
  private void report(Pod pod, PodOutcome.Ended ended) {
    String id = attemptId(pod);
    if (!reporting.add(id)) {
      return;
    }
    Map<String, String> labels = pod.getMetadata().getLabels();
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    ContainerStateTerminated terminated =
        pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
            ? null
            : pod.getStatus().getContainerStatuses().stream()
                .filter(c -> c.getState() != null && c.getState().getTerminated() != null)
                .map(c -> c.getState().getTerminated())
                .findFirst()
                .orElse(null);
    JobCompletion completion =
        JobCompletion.newBuilder()
            .setEventId(id)
            .setRunId(annotations.get(PodNames.RUN_ID))
            .setOccurredAt(clock.instant())
            .setJob(annotations.get(PodNames.JOB))
            .setAttempt(Integer.parseInt(labels.get(PodNames.ATTEMPT)))
            .setItem(
                labels.containsKey(PodNames.ITEM)
                    ? Integer.valueOf(labels.get(PodNames.ITEM))
                    : null)
            .setStatus(ended.status())
            .setExitCode(ended.exitCode())
            .setOutputs(ended.outputs())
            .setErrorTail(ended.error())
            .setOutputTail(logTail(pod))
            .setStartedAt(
                terminated != null && terminated.getStartedAt() != null
                    ? Instant.parse(terminated.getStartedAt())
                    : null)
            .setEndedAt(
                terminated != null && terminated.getFinishedAt() != null
                    ? Instant.parse(terminated.getFinishedAt())
                    : clock.instant())
            .setReporter("watcher")
            .build();
    LOG.info(
        "pod {} ended without its job reporting: reporting {} ({})",
        pod.getMetadata().getName(),
        ended.status(),
        ended.error());
    publish
        .apply(completion)
        .whenCompleteAsync( // on the watcher's thread, not the producer's
            (ok, failed) -> {
              reporting.remove(id);
              if (failed != null) {
                LOG.warn("report of {} not written ({}); its pod stays", id, failed.toString());
                return;
              }
              reported.reported(id);
              if (pod.getMetadata().getDeletionTimestamp() == null && PodOutcome.finished(pod)
                  || PodOutcome.imageProblem(pod, clock.instant(), settings.imagePullTimeout())
                      .isPresent()) {
                deleteQuietly(pod);
              }
            },
            ticker);
  }

  private void deleteQuietly(Pod pod) {
    try {
      delete(pod);
    } catch (RuntimeException e) {
      LOG.warn("pod {} not deleted yet: {}", pod.getMetadata().getName(), e.toString());
    }
  }

  /** Most bytes of a pod's log a report carries. */
  static final int LOG_TAIL = 4096;

  /**
   * The end of the pod's log (its last 100 lines, at most {@value #LOG_TAIL} characters), read
   * before the pod is deleted; null when the API server has none to give.
   */
  private String logTail(Pod pod) {
    try {
      String log =
          client
              .pods()
              .inNamespace(pod.getMetadata().getNamespace())
              .withName(pod.getMetadata().getName())
              .tailingLines(100)
              .getLog();
      if (log == null || log.isBlank()) {
        return null;
      }
      return log.length() <= LOG_TAIL ? log : log.substring(log.length() - LOG_TAIL);
    } catch (RuntimeException e) {
      LOG.debug("no log of pod {}: {}", pod.getMetadata().getName(), e.toString());
      return null;
    }
  }

  private void delete(Pod pod) {
    endedSince.remove(attemptId(pod));
    client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .delete();
  }

  private static String attemptId(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(PodNames.ATTEMPT_ID);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    if (informer != null) {
      informer.close();
    }
  }
}
