package dev.baton.engine;

import dev.baton.concurrent.DaemonThreads;
import dev.baton.engine.apply.EngineCounters;
import dev.baton.engine.artifacts.ArtifactItemsReader;
import dev.baton.engine.correlate.CorrelationProcessor;
import dev.baton.engine.correlate.CorrelationView;
import dev.baton.engine.state.RedisRunRepository;
import dev.baton.engine.state.RunRepository;
import dev.baton.engine.topology.EngineTopology;
import dev.baton.engine.topology.ExistingTopics;
import dev.baton.engine.topology.OwnedPartitions;
import dev.baton.engine.topology.ProcessingMode;
import dev.baton.engine.topology.SlotPublisher;
import dev.baton.engine.topology.TemplateFreshness;
import dev.baton.engine.topology.TimerPublisher;
import dev.baton.engine.triggers.ScheduleRunner;
import dev.baton.engine.triggers.TemplateCatalog;
import dev.baton.engine.triggers.TriggerRouter;
import dev.baton.kafka.KafkaCheck;
import dev.baton.kafka.TopicAdmin;
import dev.baton.template.ParsedTemplates;
import dev.baton.tracing.Spans;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The engine process: the topology, its Redis repository, and their lifecycle. */
public final class Engine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  private final EngineConfig config;
  private final RunRepository runs;
  private final EngineCounters counters;
  private final MeterRegistry registry;
  private final TemplateCatalog catalog;
  private final ParsedTemplates parsedTemplates = EngineTopology.loggedTemplates();
  private KafkaStreams streams;
  private TriggerRouter triggerRules;
  private ScheduleRunner schedules;
  private TimerPublisher timers;
  private SlotPublisher slots;

  /** Redis answered the last probe. */
  private volatile boolean redisReachable = true;

  /** When a stream thread last failed (nanoTime), and the records applied by then; 0: never. */
  private volatile long lastThreadFailure;

  private volatile long appliedAtFailure;
  private ScheduledExecutorService probe;
  private volatile long lastRedisWarning = System.nanoTime() - Duration.ofHours(1).toNanos();

  /**
   * How long a failed stream thread keeps the engine unready when no record has been applied since.
   */
  static final Duration FAILURE_HOLD = Duration.ofSeconds(60);

  public Engine(EngineConfig config) {
    this(config, new SimpleMeterRegistry());
  }

  /**
   * An engine whose meters (see {@link EngineCounters}) and Kafka Streams' own go to {@code
   * registry}.
   */
  public Engine(EngineConfig config, MeterRegistry registry) {
    this.config = config;
    this.counters = new EngineCounters(registry);
    this.registry = registry;
    this.runs =
        new RedisRunRepository(
            config.redis(),
            config.applicationId(),
            config.maxAppliedIds(),
            config.finishedRunRetention(),
            config.replicaAcks());
    this.catalog = new TemplateCatalog(this::templateRecords, parsedTemplates);
    this.spans = Spans.start(config.traces()).meterTo(registry, "engine");
  }

  /** Where this engine's spans go. */
  private final Spans spans;

  /** Every record of the template store, from the engine's global table (empty until it runs). */
  private Map<String, String> templateRecords() {
    Map<String, String> all = new LinkedHashMap<>();
    if (streams == null) {
      return all;
    }
    try {
      ReadOnlyKeyValueStore<String, String> store =
          streams.store(
              StoreQueryParameters.fromNameAndType(
                  EngineTopology.TEMPLATE_STORE,
                  QueryableStoreTypes.<String, String>keyValueStore()));
      try (var it = store.all()) {
        it.forEachRemaining(kv -> all.put(kv.key, kv.value));
      }
    } catch (InvalidStateStoreException e) {
      // not running yet
    }
    return all;
  }

  /**
   * The correlation keys with attempts waiting or events kept, on this engine's partitions (empty
   * until it runs).
   */
  public List<CorrelationView> correlations() {
    if (streams == null) {
      return List.of();
    }
    try {
      return CorrelationView.list(
          streams.store(
              StoreQueryParameters.fromNameAndType(
                  CorrelationProcessor.STORE, QueryableStoreTypes.<String, String>keyValueStore())),
          System.currentTimeMillis());
    } catch (InvalidStateStoreException e) {
      return List.of(); // not running yet, or rebalancing
    }
  }

  public TemplateCatalog templates() {
    return catalog;
  }

  private ExistingTopics existingTopics;
  private TemplateFreshness templatesFresh;

  public TriggerRouter triggerRules() {
    return triggerRules;
  }

  private Topology topology(OwnedPartitions owned, int runPartitions, ParsedTemplates templates) {
    EngineTopology.Wiring w = EngineTopology.wiring(config.topics(), runs, counters);
    w.owned = owned;
    w.wire = config.wire();
    w.mode = config.exactlyOnce() ? ProcessingMode.EXACTLY_ONCE : ProcessingMode.AT_LEAST_ONCE;
    w.commitSpacing = config.commitInterval();
    w.runPartitions = runPartitions;
    w.tokens = config.tokens();
    w.templates = templates;
    w.tenancy = config.tenancy();
    w.runHistory = config.runHistory();
    w.spans = spans;
    if (config.artifacts() != null) {
      w.artifactItems = new ArtifactItemsReader(config.artifacts(), counters.registry());
    }
    existingTopics = new ExistingTopics(config.bootstrapServers(), config.kafka());
    w.topicExists = existingTopics;
    templatesFresh =
        TemplateFreshness.asking(
            config.bootstrapServers(), config.kafka(), config.topics().templates());
    templatesFresh.restoresToTheEnd();
    w.templatesFresh = templatesFresh;
    return w.build();
  }

  public Engine start() {
    KafkaCheck.verify(config.bootstrapServers(), config.kafka(), Duration.ofSeconds(15));
    int runPartitions =
        TopicAdmin.runPartitions(config.bootstrapServers(), config.kafka(), config.topics());
    timers =
        new TimerPublisher(
                runs,
                config.topics(),
                config.wire(),
                config.bootstrapServers(),
                config.kafka(),
                Duration.ofMillis(100),
                Clock.systemUTC(),
                config.tenancy()::maxRunsByTenant,
                config.tokens())
            .start();
    if (config.tenancy().sharesSlots()) {
      slots =
          new SlotPublisher(
                  runs.slots(),
                  config.tenancy(),
                  config.topics(),
                  config.bootstrapServers(),
                  config.kafka(),
                  Duration.ofMillis(50))
              .start();
    }
    streams =
        new KafkaStreams(
            topology(timers, runPartitions, parsedTemplates), StreamsSettings.of(config));
    // Kafka Streams' metrics, records-lag among them
    // (kafka_consumer_fetch_manager_records_lag_max).
    new KafkaStreamsMetrics(streams).bindTo(registry);
    streams.setStateListener((now, before) -> LOG.info("engine {} -> {}", before, now));
    streams.setUncaughtExceptionHandler(this::onThreadFailure);
    streams.start();
    probe = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("baton-readiness"));
    var unused = probe.scheduleWithFixedDelay(this::probeRedis, 0, 500, TimeUnit.MILLISECONDS);
    triggerRules =
        new TriggerRouter(
                config.bootstrapServers(),
                config.applicationId() + "-trigger-rules",
                config.kafka(),
                config.topics(),
                config.wire(),
                catalog)
            .start();
    schedules =
        new ScheduleRunner(
                config.bootstrapServers(),
                config.kafka(),
                config.topics(),
                config.wire(),
                catalog,
                runs,
                Clock.systemUTC())
            .start();
    LOG.info(
        "engine {} started on {} with Redis {}",
        config.applicationId(),
        config.bootstrapServers(),
        config.redis().describe());
    return this;
  }

  /**
   * A stream thread failed: it is replaced, and the engine is unready until a record is applied
   * again. Redis away is logged once a minute, with a pause before the next try.
   */
  private StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onThreadFailure(
      Throwable e) {
    appliedAtFailure = counters.applied();
    lastThreadFailure = Math.max(1, System.nanoTime());
    if (redisUnavailable(e)) {
      // Redis is away: one line a minute, not a stack trace per retry; and a pause before the
      // next try.
      if (System.nanoTime() - lastRedisWarning > Duration.ofMinutes(1).toNanos()) {
        lastRedisWarning = System.nanoTime();
        LOG.warn(
            "Redis does not answer ({}); the engine keeps retrying until it does", rootMessage(e));
      }
      try {
        TimeUnit.SECONDS.sleep(1);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    } else {
      LOG.error("engine stream thread failed; replacing it", e);
    }
    return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** Waits until the engine has its partitions and processes records. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (ready()) {
        return true;
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    return false;
  }

  /** The engine works: Streams has not failed or stopped. */
  public boolean live() {
    if (streams == null) {
      return true; // not started yet: nothing has failed
    }
    KafkaStreams.State s = streams.state();
    return s != KafkaStreams.State.ERROR
        && s != KafkaStreams.State.NOT_RUNNING
        && s != KafkaStreams.State.PENDING_ERROR;
  }

  /**
   * The engine applies records now: it has its partitions, Redis answers, and no stream thread has
   * failed since it last applied a record (for {@link #FAILURE_HOLD} after a failure, when idle).
   */
  public boolean ready() {
    return streams != null
        && streams.state() == KafkaStreams.State.RUNNING
        && redisReachable
        && !failingRecently();
  }

  private boolean failingRecently() {
    long failed = lastThreadFailure;
    return failed != 0
        && counters.applied() == appliedAtFailure
        && System.nanoTime() - failed < FAILURE_HOLD.toNanos();
  }

  private static boolean redisUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RedisConnectionException || t instanceof RedisTimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  private void probeRedis() {
    boolean reachable = runs.reachable(Duration.ofSeconds(1));
    if (reachable) {
      try {
        if (!runs.keptItsData()) {
          LOG.error(
              "Redis lost its data (it came back empty): runs that were in flight are forgotten; each ends FAILED, with the reason,"
                  + " when its next record arrives");
        }
      } catch (RuntimeException e) {
        reachable = false;
      }
    }
    if (reachable != redisReachable) {
      if (reachable) {
        LOG.info("Redis answers again");
      } else {
        LOG.warn("Redis does not answer; the engine is not ready until it does");
      }
    }
    redisReachable = reachable;
  }

  public EngineCounters counters() {
    return counters;
  }

  public RunRepository runs() {
    return runs;
  }

  @Override
  public void close() {
    if (probe != null) {
      probe.shutdownNow();
    }
    if (schedules != null) {
      schedules.close();
    }
    if (triggerRules != null) {
      triggerRules.close();
    }
    // Leave the group on close, so a restarted or remaining instance takes the partitions at once
    // instead of after the session timeout.
    if (timers != null) {
      timers.close();
    }
    if (slots != null) {
      slots.close();
    }

    if (streams != null) {
      streams.close(
          CloseOptions.timeout(Duration.ofSeconds(30))
              .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }
    runs.close();
    spans.close();
    if (templatesFresh != null) {
      templatesFresh.close(); // after the streams: their tasks ask it
    }
    if (existingTopics != null) {
      existingTopics.close(); // after the streams: their tasks ask it
    }
  }
}
