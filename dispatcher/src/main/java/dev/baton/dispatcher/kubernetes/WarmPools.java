package dev.baton.dispatcher.kubernetes;

import dev.baton.concurrent.DaemonThreads;
import dev.baton.events.JobDispatch;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warm pools of idle pods (labels {@code baton.io/pool} and {@code baton.io/state=idle}). Each
 * tick, a pool is kept at {@code min} idle pods, grown by the dispatches that found none (never
 * beyond {@code max} pods in all), shrunk to {@code min} after {@code idleTimeout} without a claim,
 * and its dead idle pods are deleted and replaced. A claim is a merge patch of the pod's labels
 * that carries the pod's {@code resourceVersion}: the API server refuses it (409) if anyone changed
 * the pod since it was read, so two dispatchers never claim the same pod. A restarted dispatcher
 * finds its pools in the pods' annotations and carries on with them.
 */
final class WarmPools implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WarmPools.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  static final class Pool {
    final PoolSpec spec;
    volatile Instant lastWork;
    final AtomicInteger demand = new AtomicInteger();

    Pool(PoolSpec spec, Instant now) {
      this.spec = spec;
      this.lastWork = now;
    }
  }

  private final KubernetesClient client;
  private final KubernetesSettings settings;
  private final Clock clock;
  private final Duration tick;
  private final Map<String, Pool> pools = new ConcurrentHashMap<>();
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("baton-warm-pools"));

  WarmPools(KubernetesClient client, KubernetesSettings settings, Clock clock, Duration tick) {
    this.client = client;
    this.settings = settings;
    this.clock = clock;
    this.tick = tick;
  }

  /** Re-adopts the pools whose pods exist (a restart), then keeps every pool in shape. */
  WarmPools start() {
    int adopted = 0;
    for (Pod pod :
        client
            .pods()
            .inNamespace(settings.namespace())
            .withLabel(PodNames.POOL)
            .list()
            .getItems()) {
      PoolSpec spec =
          PoolSpec.fromJson(
              pod.getMetadata().getAnnotations() == null
                  ? null
                  : pod.getMetadata().getAnnotations().get(PodNames.POOL_SPEC),
              settings);
      if (spec != null) {
        pools.computeIfAbsent(spec.name(), k -> new Pool(spec, clock.instant()));
        adopted++;
      }
    }
    if (adopted > 0) {
      LOG.info("re-adopted {} pods of {} warm pools", adopted, pools.size());
    }
    settings
        .imagePools()
        .keySet()
        .forEach(
            image -> {
              PoolSpec spec = PoolSpec.forImage(image, settings);
              pools.computeIfAbsent(spec.name(), k -> new Pool(spec, clock.instant()));
            });
    var unused =
        ticker.scheduleWithFixedDelay(this::maintainAll, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * The dispatch's pool: declared by its template or the settings, or one re-adopted from pods of
   * its shape; null for none. A new pool starts filling to its minimum.
   */
  PoolSpec register(JobDispatch d) {
    PoolSpec declared = PoolSpec.of(d, settings);
    String name = declared != null ? declared.name() : PoolSpec.nameOf(d);
    Pool pool =
        name == null
            ? null
            : declared != null
                ? pools.computeIfAbsent(name, k -> new Pool(declared, clock.instant()))
                : pools.get(name);
    if (pool == null) {
      return null;
    }
    pool.lastWork = clock.instant();
    return pool.spec;
  }

  /**
   * Claims a ready idle pod of the dispatch's pool for its attempt; null when none is free (the
   * dispatch then takes the cold path, and the pool grows by one for the next).
   */
  String claim(JobDispatch d, PoolSpec spec) {
    Pool pool = pools.get(spec.name());
    for (Pod pod : pods(spec.name())) {
      if (isIdle(pod) && "Running".equals(phase(pod)) && tryClaim(pod, d)) {
        return pod.getMetadata().getName();
      }
    }
    pool.demand.incrementAndGet();
    if (!ticker.isShutdown()) {
      ticker.execute(() -> maintain(pool));
    }
    return null;
  }

  private boolean tryClaim(Pod pod, JobDispatch d) {
    String patch =
        "{\"metadata\":{\"resourceVersion\":\""
            + pod.getMetadata().getResourceVersion()
            + "\",\"labels\":{\""
            + PodNames.POOL_STATE
            + "\":\""
            + PodNames.CLAIMED
            + "\",\""
            + PodNames.RUN_ID
            + "\":\""
            + PodNames.labelValue(d.getRunId())
            + "\",\""
            + PodNames.JOB
            + "\":\""
            + PodNames.labelValue(d.getJob())
            + "\"},\"annotations\":{\""
            + PodNames.ATTEMPT_ID
            + "\":"
            + jsonString(d.getAttemptId())
            + "}}}";
    try {
      client
          .pods()
          .inNamespace(settings.namespace())
          .withName(pod.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      LOG.info("claimed warm pod {} for {}", pod.getMetadata().getName(), d.getAttemptId());
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        return false; // another dispatcher got there first, or the pod is gone
      }
      throw e;
    }
  }

  /** After its job: the pod goes back to the pool ({@code reuse}) or is deleted. */
  void release(String podName, PoolSpec spec) {
    var pod = client.pods().inNamespace(settings.namespace()).withName(podName);
    try {
      if (spec.warm().getReuse()) {
        pod.patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\""
                + PodNames.POOL_STATE
                + "\":\""
                + PodNames.IDLE
                + "\",\""
                + PodNames.RUN_ID
                + "\":null,\""
                + PodNames.JOB
                + "\":null},\"annotations\":{\""
                + PodNames.ATTEMPT_ID
                + "\":null}}}");
      } else {
        pod.withGracePeriod(0).delete();
      }
    } catch (KubernetesClientException e) {
      LOG.warn("releasing warm pod {}: {}", podName, e.getMessage());
    }
    Pool pool = pools.get(spec.name());
    if (pool != null && !ticker.isShutdown()) {
      ticker.execute(() -> maintain(pool));
    }
  }

  private void maintainAll() {
    for (Pool pool : pools.values()) {
      try {
        maintain(pool);
      } catch (RuntimeException e) {
        LOG.warn("warm pool {}: {}", pool.spec.name(), e.toString());
      }
    }
  }

  private synchronized void maintain(Pool pool) {
    List<Pod> pods = pods(pool.spec.name());
    for (Pod pod : pods) {
      if (isIdle(pod)
          && PodOutcome.finished(pod)
          && pod.getMetadata().getDeletionTimestamp() == null) {
        LOG.info(
            "idle pod {} of pool {} ended ({}); replacing it",
            pod.getMetadata().getName(),
            pool.spec.name(),
            phase(pod));
        delete(pod);
      }
    }
    List<Pod> alive =
        pods.stream()
            .filter(p -> !PodOutcome.finished(p) && p.getMetadata().getDeletionTimestamp() == null)
            .toList();
    List<Pod> idle =
        alive.stream()
            .filter(WarmPools::isIdle)
            .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
            .toList();
    int min = pool.spec.warm().getMin();
    int max = pool.spec.warm().getMax();
    boolean quiet = clock.instant().isAfter(pool.lastWork.plus(pool.spec.idleTimeout()));
    int wanted = quiet ? min : Math.max(min, idle.size() + pool.demand.getAndSet(0));
    int total = alive.size();
    for (int have = idle.size(); have < wanted && total < max; have++, total++) {
      create(pool.spec);
    }
    if (quiet) {
      for (Pod extra : idle.subList(0, Math.max(0, idle.size() - min))) {
        LOG.info(
            "pool {} idle for {}: deleting idle pod {}",
            pool.spec.name(),
            pool.spec.idleTimeout(),
            extra.getMetadata().getName());
        delete(extra);
      }
    }
  }

  private void create(PoolSpec spec) {
    String name =
        spec.name() + "-" + Long.toString(Math.floorMod(RANDOM.nextLong(), 60_466_176L), 36);
    client
        .pods()
        .inNamespace(settings.namespace())
        .resource(JobPodBuilder.idlePod(name, spec, settings))
        .create();
    LOG.info("created idle pod {} of pool {}", name, spec.name());
  }

  private void delete(Pod pod) {
    try {
      client
          .pods()
          .inNamespace(settings.namespace())
          .withName(pod.getMetadata().getName())
          .withGracePeriod(0)
          .delete();
    } catch (KubernetesClientException e) {
      LOG.warn("deleting pod {}: {}", pod.getMetadata().getName(), e.getMessage());
    }
  }

  private List<Pod> pods(String pool) {
    return client
        .pods()
        .inNamespace(settings.namespace())
        .withLabel(PodNames.POOL, pool)
        .list()
        .getItems();
  }

  static boolean isIdle(Pod pod) {
    return pod.getMetadata().getLabels() != null
        && PodNames.IDLE.equals(pod.getMetadata().getLabels().get(PodNames.POOL_STATE));
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  private static String jsonString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
