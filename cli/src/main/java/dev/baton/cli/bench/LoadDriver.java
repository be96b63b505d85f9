package dev.baton.cli.bench;

import dev.baton.events.CompletionStatus;
import dev.baton.events.DispatchAction;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.serde.Wire;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The no-op runtime of the benchmark: it reads dispatches and publishes each job's SUCCEEDED
 * completion at once, keeping {@code inFlight} runs of {@code jobsPerRun} jobs going (a finished
 * run is replaced by a new one). It times each step transition: from publishing a completion (or
 * the run's start) to receiving the next dispatch of that run. With a rate, it paces what it
 * publishes, for a run at part load.
 */
final class LoadDriver implements AutoCloseable {
  /** The record that starts a run: a trigger for the engine, a seed completion for the ceiling topology. */
  interface Starter extends Function<String, ProducerRecord<String, byte[]>> {}

  record Result(long transitions, double seconds, Latencies transitionLatency, Latencies startLatency) {
    double perSecond() {
      return transitions / seconds;
    }
  }

  private static final class Track {
    volatile long sentNanos;
    int dispatched;
  }

  private final String completionsTopic;
  private final Wire wire;
  private final int jobsPerRun;
  private final Starter starter;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, Track> runs = new ConcurrentHashMap<>();
  private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "bench-pacer"));
  private final AtomicLong runNumber = new AtomicLong();
  private final String runPrefix;
  private volatile boolean starting;
  private volatile double rate;
  private long nextSlotNanos;
  private volatile Latencies transitions = new Latencies();
  private volatile Latencies starts = new Latencies();
  private volatile boolean measuring;
  private final AtomicLong measured = new AtomicLong();
  private final AtomicLong dispatches = new AtomicLong();
  private volatile boolean holding;
  private final AtomicLong held = new AtomicLong();

  LoadDriver(String bootstrap, String dispatchTopic, String completionsTopic, Wire wire, int jobsPerRun, String runPrefix, Starter starter) {
    this.completionsTopic = completionsTopic;
    this.wire = wire;
    this.jobsPerRun = jobsPerRun;
    this.runPrefix = runPrefix;
    this.starter = starter;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, runPrefix + "-runtime");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(dispatchTopic));
    Thread loop = new Thread(this::consume, "bench-runtime");
    loop.setDaemon(true);
    awaitAssignment();
    loop.start();
  }

  private void awaitAssignment() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (consumer.assignment().isEmpty()) {
      consumer.poll(Duration.ofMillis(100));
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the benchmark's runtime got no partitions of the dispatch topic in 60 s");
      }
    }
    consumer.assignment().forEach(consumer::position); // fixes "latest" before the first run starts
  }

  /**
   * Keeps {@code inFlight} runs going for {@code warmup}, then measures for {@code measure}; then
   * lets the runs in flight finish. {@code rate}: records published per second, 0 for as fast as
   * the system goes.
   */
  Result run(int inFlight, double rate, Duration warmup, Duration measure) throws InterruptedException {
    this.rate = rate;
    this.nextSlotNanos = System.nanoTime();
    starting = true;
    for (int i = 0; i < inFlight; i++) {
      startRun();
    }
    TimeUnit.MILLISECONDS.sleep(warmup.toMillis());
    transitions = new Latencies();
    starts = new Latencies();
    measured.set(0);
    long begin = System.nanoTime();
    measuring = true;
    TimeUnit.MILLISECONDS.sleep(measure.toMillis());
    measuring = false;
    double seconds = (System.nanoTime() - begin) / 1e9;
    Result result = new Result(measured.get(), seconds, transitions, starts);
    starting = false;
    drain(Duration.ofSeconds(120));
    return result;
  }

  /** Starts {@code count} runs and waits until each has its first dispatch; they are then left alone. */
  void hold(int count, Duration timeout) throws InterruptedException {
    this.rate = 0;
    starting = false;
    holding = true;
    for (int i = 0; i < count; i++) {
      send(starter.apply(runPrefix + "-held-" + i), null);
    }
    producer.flush();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (held.get() < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(held.get() + " of " + count + " held runs dispatched their first job within " + timeout.toSeconds() + " s");
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** Dispatches of driven runs received so far. */
  long dispatches() {
    return dispatches.get();
  }

  long heldRuns() {
    return held.get();
  }

  private void drain(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!runs.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(runs.size() + " runs did not finish within " + timeout.toSeconds() + " s of the phase's end");
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  private void startRun() {
    String runId = runPrefix + "-" + runNumber.incrementAndGet();
    Track track = new Track();
    runs.put(runId, track);
    send(starter.apply(runId), track);
  }

  private void consume() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          onDispatch(record, System.nanoTime());
        }
      }
    } catch (org.apache.kafka.common.errors.WakeupException | org.apache.kafka.common.errors.InterruptException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void onDispatch(ConsumerRecord<String, byte[]> record, long now) {
    JobDispatch dispatch = wire.decode(record.value(), JobDispatch.class);
    if (dispatch.getAction() != DispatchAction.START) {
      return;
    }
    if (holding && dispatch.getRunId().startsWith(runPrefix + "-held-")) {
      held.incrementAndGet();
      return;
    }
    Track track = runs.get(dispatch.getRunId());
    if (track == null) {
      return;
    }
    dispatches.incrementAndGet();
    if (measuring) {
      long micros = (now - track.sentNanos) / 1000;
      (track.dispatched == 0 ? starts : transitions).add(micros);
      measured.incrementAndGet();
    }
    track.dispatched++;
    boolean last = track.dispatched == jobsPerRun;
    send(new ProducerRecord<>(completionsTopic, dispatch.getRunId(), wire.encode(completionsTopic, completionOf(dispatch))), last ? null : track);
    if (last) {
      runs.remove(dispatch.getRunId());
      if (starting) {
        startRun();
      }
    }
  }

  static JobCompletion completionOf(JobDispatch dispatch) {
    Instant now = Instant.now();
    return JobCompletion.newBuilder().setEventId(dispatch.getAttemptId()).setRunId(dispatch.getRunId()).setOccurredAt(now)
        .setJob(dispatch.getJob()).setAttempt(dispatch.getAttempt()).setItem(dispatch.getItem())
        .setStatus(CompletionStatus.SUCCEEDED).setExitCode(0).setStartedAt(now).setEndedAt(now).setReporter("bench").build();
  }

  /** Publishes now, or at the next free slot when paced; the track's clock starts when the record is handed to the producer. */
  private void send(ProducerRecord<String, byte[]> record, Track track) {
    if (rate <= 0) {
      if (track != null) {
        track.sentNanos = System.nanoTime();
      }
      producer.send(record);
      return;
    }
    long delay;
    synchronized (this) {
      long now = System.nanoTime();
      nextSlotNanos = Math.max(now, nextSlotNanos + (long) (1e9 / rate));
      delay = nextSlotNanos - now;
    }
    pacer.schedule(() -> {
      if (track != null) {
        track.sentNanos = System.nanoTime();
      }
      producer.send(record);
    }, delay, TimeUnit.NANOSECONDS);
  }

  @Override
  public void close() {
    pacer.shutdownNow();
    consumer.wakeup();
    producer.close(Duration.ofSeconds(10));
  }
}
