package dev.baton.cli.bench;

import dev.baton.events.DispatchAction;
import dev.baton.events.JobDispatch;
import dev.baton.serde.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The no-op runtime of the benchmark: it reads dispatches (as a {@code read_committed} consumer,
 * like the dispatcher) and publishes each job's SUCCEEDED completion at once. Runs come either in a
 * closed loop (at most N in flight, a new run as soon as one ends) or in an open loop (new runs at
 * a fixed rate, whatever the engine does). It times each step transition (a completion published to
 * the next dispatch of its run received), each start (trigger published to first dispatch) and,
 * with a lifecycle topic, each run end to end (trigger published to RUN_SUCCEEDED received). A run
 * ends at its RUN_SUCCEEDED event when there is a lifecycle topic, else when its last dispatch is
 * answered.
 */
final class LoadDriver implements AutoCloseable {
  /**
   * The record that starts a run: a trigger for the engine, a seed completion for the ceiling
   * topology.
   */
  interface Starter extends Function<String, ProducerRecord<String, byte[]>> {}

  /**
   * What one phase measured; {@code tasks}: dispatches received in the window, each a job completed
   * at once.
   */
  record Result(
      long tasks,
      long runsEnded,
      double seconds,
      Latencies transitions,
      Latencies starts,
      Latencies endToEnd,
      Latencies waits) {
    double tasksPerSecond() {
      return tasks / seconds;
    }

    double runsPerSecond() {
      return runsEnded / seconds;
    }
  }

  private static final class Track {
    final long startNanos = System.nanoTime();
    volatile long sentNanos;
    int dispatched;

    /** The run waits for the event the driver published at {@code sentNanos}. */
    volatile boolean waiting;
  }

  private final String completionsTopic;
  private final Wire wire;
  private final int jobsPerRun;
  private final Starter starter;
  private final boolean endsByEvent;
  private final KafkaProducer<String, byte[]> producer;
  private final Map<String, Track> runs = new ConcurrentHashMap<>();
  private final ScheduledExecutorService arrivals =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "bench-arrivals"));
  private final AtomicLong runNumber = new AtomicLong();
  private final String runPrefix;
  private final AtomicLong measuredTasks = new AtomicLong();
  private final AtomicLong measuredEnds = new AtomicLong();
  private final AtomicLong held = new AtomicLong();
  private final AtomicLong dispatches = new AtomicLong();
  private final Followers followers = new Followers();
  private volatile boolean closedLoop;
  private volatile boolean measuring;
  private volatile boolean holding;
  private volatile Latencies transitions = new Latencies();
  private volatile Latencies starts = new Latencies();
  private volatile Latencies endToEnd = new Latencies();
  private volatile Latencies waits = new Latencies();

  /** Where a waiting run's event goes (null: no run waits). */
  private volatile String waitTopic;

  /** Whether each dispatched job reports STARTED before its completion, as the dispatcher does. */
  private volatile boolean startReports;

  /** How long each job takes before its completion is published (zero: at once). */
  private volatile Duration jobTime = Duration.ZERO;

  /**
   * {@code eventsTopic}: the engine's lifecycle topic (a run ends at its RUN_SUCCEEDED), or null
   * (it ends at its last dispatch).
   */
  LoadDriver(
      String bootstrap,
      String dispatchTopic,
      String completionsTopic,
      String eventsTopic,
      Wire wire,
      int jobsPerRun,
      String runPrefix,
      Starter starter) {
    this.completionsTopic = completionsTopic;
    this.wire = wire;
    this.jobsPerRun = jobsPerRun;
    this.runPrefix = runPrefix;
    this.starter = starter;
    this.endsByEvent = eventsTopic != null;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    followers.follow(bootstrap, dispatchTopic, runPrefix + "-runtime", this::onDispatch);
    if (endsByEvent) {
      followers.follow(bootstrap, eventsTopic, runPrefix + "-events", this::onEvent);
    }
  }

  /**
   * At most {@code inFlight} runs at once, a new one as soon as one ends: as fast as the system
   * goes.
   */
  Result closed(int inFlight, Duration warmup, Duration measure, Window window)
      throws InterruptedException {
    closedLoop = true;
    for (int i = 0; i < inFlight; i++) {
      startRun();
    }
    Result result = measure(warmup, measure, window);
    closedLoop = false;
    drain(Duration.ofMinutes(3));
    return result;
  }

  /**
   * New runs at {@code runsPerSecond}, evenly spaced, whatever the system does: load as users offer
   * it.
   */
  Result open(double runsPerSecond, Duration warmup, Duration measure, Window window)
      throws InterruptedException {
    long periodNanos = (long) (1e9 / runsPerSecond);
    ScheduledFuture<?> arriving =
        arrivals.scheduleAtFixedRate(this::startRun, 0, periodNanos, TimeUnit.NANOSECONDS);
    Result result = measure(warmup, measure, window);
    arriving.cancel(false);
    drain(Duration.ofMinutes(3));
    return result;
  }

  private Result measure(Duration warmup, Duration measure, Window window)
      throws InterruptedException {
    TimeUnit.MILLISECONDS.sleep(warmup.toMillis());
    transitions = new Latencies();
    starts = new Latencies();
    endToEnd = new Latencies();
    waits = new Latencies();
    measuredTasks.set(0);
    measuredEnds.set(0);
    window.begin();
    long begin = System.nanoTime();
    measuring = true;
    TimeUnit.MILLISECONDS.sleep(measure.toMillis());
    measuring = false;
    double seconds = (System.nanoTime() - begin) / 1e9;
    window.end();
    return new Result(
        measuredTasks.get(), measuredEnds.get(), seconds, transitions, starts, endToEnd, waits);
  }

  /**
   * Starts {@code count} runs and waits until each has its first dispatch; they are then left
   * alone.
   */
  void hold(int count, Duration timeout) throws InterruptedException {
    holding = true;
    for (int i = 0; i < count; i++) {
      var unused = producer.send(starter.apply(runPrefix + "-held-" + i));
    }
    producer.flush();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (held.get() < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            held.get()
                + " of "
                + count
                + " held runs dispatched their first job within "
                + timeout.toSeconds()
                + " s");
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** The runtime's producer: mean record queue time and request latency. */
  String producerWaits() {
    return ProducerWaits.of(producer);
  }

  long heldRuns() {
    return held.get();
  }

  /** Dispatches of driven runs received so far (not of held runs). */
  long dispatches() {
    return dispatches.get();
  }

  private void drain(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!runs.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            runs.size()
                + " runs did not finish within "
                + timeout.toSeconds()
                + " s of the phase's end");
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  private void startRun() {
    String runId = runPrefix + "-" + runNumber.incrementAndGet();
    Track track = new Track();
    runs.put(runId, track);
    track.sentNanos = System.nanoTime();
    var unused = producer.send(starter.apply(runId));
  }

  private void onDispatch(ConsumerRecord<String, byte[]> record) {
    long now = System.nanoTime();
    JobDispatch dispatch = wire.decode(record.value(), JobDispatch.class);
    if (dispatch.getAction() == DispatchAction.START) {
      if (startReports) {
        var unused = producer.send(NoopRuntime.started(dispatch, completionsTopic, wire));
      }
      onStart(now, dispatch.getRunId(), () -> NoopRuntime.ended(dispatch, completionsTopic, wire));
    }
  }

  /** A service step's request: answered as a dispatched job's start is. */
  private void onRequest(ConsumerRecord<String, byte[]> record) {
    String runId = ServiceReplies.runId(record);
    if (runId != null) {
      onStart(System.nanoTime(), runId, () -> ServiceReplies.reply(record, wire));
    }
  }

  /** A step of {@code runId} started at {@code now}; {@code answer} is its completion. */
  private void onStart(long now, String runId, Supplier<ProducerRecord<String, byte[]>> answer) {
    if (holding && runId.startsWith(runPrefix + "-held-")) {
      held.incrementAndGet();
      return;
    }
    Track track = runs.get(runId);
    if (track == null) {
      return;
    }
    dispatches.incrementAndGet();
    if (measuring) {
      long micros = (now - track.sentNanos) / 1000;
      (track.dispatched == 0 ? starts : track.waiting ? waits : transitions).add(micros);
      measuredTasks.incrementAndGet();
    }
    track.waiting = false;
    track.dispatched++;
    if (jobTime.isZero()) {
      complete(runId, track, answer.get());
    } else {
      var unused =
          arrivals.schedule(
              () -> complete(runId, track, answer.get()), jobTime.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void complete(String runId, Track track, ProducerRecord<String, byte[]> completion) {
    track.sentNanos = System.nanoTime();
    var unused = producer.send(completion);
    if (!endsByEvent && track.dispatched == jobsPerRun) {
      ended(runId, track);
    }
  }

  /** Service steps' requests on {@code topic} are answered at once, as dispatches are. */
  void answerServiceRequests(String bootstrap, String topic) {
    followers.follow(bootstrap, topic, runPrefix + "-service", this::onRequest);
  }

  /** Each dispatched job reports STARTED before its end, as the dispatcher does. */
  void startReports(boolean on) {
    startReports = on;
  }

  /** Each job takes {@code time} before it reports SUCCEEDED, as a real job would. */
  void jobTime(Duration time) {
    jobTime = time;
  }

  /** The latencies of the last phase so far (a phase run beside this one reads them). */
  Latencies starts() {
    return starts;
  }

  /**
   * Only a run's RUN_SUCCEEDED matters here: found in the bytes first, so the other lifecycle
   * events cost no decoding.
   */
  private void onEvent(ConsumerRecord<String, byte[]> record) {
    if (record.value() != null && waitTopic != null && NoopRuntime.isJobWaiting(record.value())) {
      Track track = runs.get(record.key());
      if (track != null) {
        track.waiting = true;
        track.sentNanos = System.nanoTime();
        publishEvent(record.key(), track, 0);
      }
      return;
    }
    if (record.value() == null || !NoopRuntime.isRunSucceeded(record.value())) {
      return;
    }
    Track track = runs.get(record.key());
    if (track != null) {
      if (measuring) {
        endToEnd.add((System.nanoTime() - track.startNanos) / 1000);
      }
      ended(record.key(), track);
    }
  }

  /**
   * Runs of the template with a wait step get their event when they wait: {@code {"runId": ...}} on
   * {@code topic}, keyed by run id.
   */
  void publishEventsOnWait(String topic) {
    waitTopic = topic;
  }

  /**
   * Publishes the run's event; again every 2 s while the run still waits (the engine may not follow
   * the topic yet as the first runs start; the same record twice is one event to it).
   */
  private void publishEvent(String runId, Track track, int sent) {
    var unused =
        producer.send(
            new ProducerRecord<>(
                waitTopic,
                runId,
                ("{\"runId\":\"" + runId + "\"}").getBytes(StandardCharsets.UTF_8)));
    if (sent < 30) {
      var unusedResend =
          arrivals.schedule(
              () -> {
                if (track.waiting && runs.get(runId) == track) {
                  publishEvent(runId, track, sent + 1);
                }
              },
              2,
              TimeUnit.SECONDS);
    }
  }

  private void ended(String runId, Track track) {
    if (runs.remove(runId, track)) {
      if (measuring) {
        measuredEnds.incrementAndGet();
      }
      if (closedLoop) {
        startRun();
      }
    }
  }

  @Override
  public void close() {
    arrivals.shutdownNow();
    followers.close();
    producer.close(Duration.ofSeconds(10));
  }
}
