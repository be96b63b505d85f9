package dev.baton.dispatcher;

import dev.baton.concurrent.RecentSet;
import dev.baton.dispatcher.http.HttpCalls;
import dev.baton.events.CompletionStatus;
import dev.baton.events.DispatchAction;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.kafka.KafkaCheck;
import dev.baton.kafka.PollLoops;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.EventFormatException;
import dev.baton.tracing.Spans;
import dev.baton.tracing.TraceIds;
import dev.baton.tracing.Traceparent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Consumes dispatches and hands them to a {@link JobRuntime}; completions go back on the
 * completions topic. At most {@code maxConcurrentJobs} attempts run at once: when the runtime is
 * full, the consumer pauses its partitions and keeps polling (so the group keeps it) until a job
 * ends.
 */
public final class Dispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  private final DispatcherConfig config;
  private final JobRuntime runtime;
  private final CompletionPublisher completions;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> deadLetters;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AttemptStarts starts;

  /** Tries a runtime start gets before its attempt is reported FAILED. */
  static final int START_TRIES = 3;

  private final Map<String, Integer> startFailures = new HashMap<>();
  private final DispatcherMeters meters;
  private final Thread loop;
  private final Spans spans;
  private final HttpCalls calls;

  public Dispatcher(DispatcherConfig config, JobRuntime runtime) {
    this(config, runtime, new SimpleMeterRegistry());
  }

  /**
   * A dispatcher whose meters ({@link DispatcherMeters}) and Kafka consumer's go to {@code
   * registry}.
   */
  public Dispatcher(DispatcherConfig config, JobRuntime runtime, MeterRegistry registry) {
    this.config = config;
    this.meters = new DispatcherMeters(registry, runtime::running);
    this.runtime = runtime;
    this.completions =
        CompletionPublisher.forDispatcher(
            config.bootstrapServers(),
            config.topics().completions(),
            config.kafka(),
            config.wire(),
            config.tokens(),
            true,
            config.redis() == null
                ? PendingReports.inMemory()
                : PendingReports.redis(config.redis(), config.groupId()));
    this.spans = Spans.start(config.traces()).meterTo(registry, "dispatcher");
    this.consumer =
        new KafkaConsumer<>(
            consumerProps(config), new StringDeserializer(), new ByteArrayDeserializer());
    new KafkaClientMetrics(consumer).bindTo(registry);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.putAll(config.kafka());
    this.deadLetters = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.loop = new Thread(this::run, "baton-dispatcher");
    this.calls = new HttpCalls(config.httpHosts(), config.secrets());
    this.starts =
        config.redis() == null
            ? AttemptStarts.inMemory()
            : AttemptStarts.redis(config.redis(), Duration.ofDays(7));
  }

  private static Properties consumerProps(DispatcherConfig config) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxConcurrentJobs());
    p.putAll(config.kafka());
    return p;
  }

  public Dispatcher start() {
    KafkaCheck.verify(config.bootstrapServers(), config.kafka(), Duration.ofSeconds(15));
    completions.start();
    consumer.subscribe(
        List.of(config.topics().dispatch()),
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            held.drop(partitions); // their next owner reads them again from the committed offset
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}

          @Override
          public void onPartitionsLost(Collection<TopicPartition> partitions) {
            held.drop(partitions);
          }
        });
    loop.start();
    LOG.info(
        "dispatcher {} consuming {} (at most {} jobs at once)",
        config.groupId(),
        config.topics().dispatch(),
        config.maxConcurrentJobs());
    return this;
  }

  /** The consumer loop is alive. */
  public boolean live() {
    return loop.isAlive();
  }

  /** The dispatcher consumes: its loop is alive and it is not stopping. */
  public boolean ready() {
    return loop.isAlive() && !stopping.get();
  }

  private void run() {
    try {
      while (!stopping.get()) {
        try {
          pollOnce();
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          // Redis or Kafka is away for a moment: read the uncommitted records again once it is
          // back. Attempts already started are not started twice (AttemptStarts).
          LOG.warn(
              "dispatching failed ({}); retrying from the last committed offsets in 1 s",
              e.toString());
          rewind();
          TimeUnit.SECONDS.sleep(1);
        }
      }
    } catch (WakeupException e) {
      if (!stopping.get()) {
        throw e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      consumer.close();
    }
  }

  /** Starts read while every slot was taken; STOPs pass them (see {@link HeldStarts}). */
  private final HeldStarts held = new HeldStarts();

  private void pollOnce() {
    boolean moved = false;
    while (!held.isEmpty() && runtime.running() < config.maxConcurrentJobs()) {
      HeldStarts.Held h = held.next();
      act(h.record(), h.dispatch());
      moved = true;
    }
    boolean full = runtime.running() >= config.maxConcurrentJobs();
    // Reading goes on while the slots are full (a STOP must not wait for a slot), until too much
    // is held.
    if (held.full() && consumer.paused().isEmpty()) {
      consumer.pause(consumer.assignment());
    } else if (!held.full() && !consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused());
    }
    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(full ? 50 : 200));
    for (ConsumerRecord<String, byte[]> record : records) {
      JobDispatch dispatch = decode(record);
      if (dispatch == null) {
        continue; // dead-lettered
      }
      var tp = new TopicPartition(record.topic(), record.partition());
      // A STOP must not wait for a slot; an http call holds none.
      boolean slotless = dispatch.getAction() == DispatchAction.STOP || dispatch.getHttp() != null;
      if (!slotless && (held.holds(tp) || runtime.running() >= config.maxConcurrentJobs())) {
        held.hold(record, dispatch);
      } else {
        act(record, dispatch);
      }
    }
    if (moved || !records.isEmpty()) {
      consumer.commitSync(held.commitOffsets(consumer.assignment(), consumer::position));
    }
  }

  private void rewind() {
    held.clear(); // read again from the committed offsets
    try {
      var committed = consumer.committed(consumer.assignment());
      for (var tp : consumer.assignment()) {
        var offset = committed.get(tp);
        if (offset != null) {
          consumer.seek(tp, offset.offset());
        } else {
          consumer.seekToBeginning(List.of(tp));
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("cannot rewind yet: {}", e.toString());
    }
  }

  /** The dispatch a record holds; null when it cannot be read (it is dead-lettered). */
  private JobDispatch decode(ConsumerRecord<String, byte[]> record) {
    try {
      return config.wire().decode(record.value(), JobDispatch.class);
    } catch (EventFormatException e) {
      deadLetter(record, "invalid dispatch: " + e.getMessage());
      return null;
    }
  }

  /**
   * Attempts stopped through this dispatcher, most recent last (at most {@value #STOPS_KEPT}): a
   * start read after its stop (held behind a full runtime, or redelivered) is not run.
   */
  private final RecentSet stopped = new RecentSet(Duration.ofDays(1), STOPS_KEPT);

  static final int STOPS_KEPT = 10_000;

  private void act(ConsumerRecord<String, byte[]> record, JobDispatch dispatch) {
    MDC.put("runId", dispatch.getRunId());
    MDC.put("attempt", dispatch.getAttemptId());
    // The job's token goes only into its environment: with it, the job (and no one else) can report
    // this attempt.
    Map<String, String> env = new LinkedHashMap<>(dispatch.getEnv());
    env.put(AttemptTokens.TOKEN_VARIABLE, config.tokens().forJob(dispatch.getAttemptId()));
    // The job's own spans join the run's trace under its attempt.
    env.put(
        Traceparent.VARIABLE,
        TraceIds.attempt(dispatch.getRunId(), dispatch.getAttemptId()).toString());
    dispatch.setEnv(env);
    Instant received = Instant.now();
    try {
      if (dispatch.getAction() == DispatchAction.STOP) {
        LOG.info("stopping {}", dispatch.getAttemptId());
        meters.dispatch("stop");
        stopped.add(dispatch.getAttemptId());
        runtime.stop(dispatch.getAttemptId());
        calls.stop(dispatch.getAttemptId());
      } else if (stopped.contains(dispatch.getAttemptId())) {
        meters.dispatch("withdrawn");
        LOG.info("{} was stopped before it started; not run", dispatch.getAttemptId());
      } else if (!starts.claim(dispatch.getAttemptId())) {
        if (starts.stoppedBeforeStart(dispatch.getAttemptId())) {
          meters.dispatch("withdrawn");
          LOG.info(
              "{} was stopped before it started (its run ended or moved on); not run",
              dispatch.getAttemptId());
        } else {
          meters.dispatch("repeated");
          LOG.info(
              "{} was started before (a dispatch redelivered after a restart); not run again",
              dispatch.getAttemptId());
        }
      } else if (!startClaimed(dispatch)) {
        meters.dispatch("repeated");
        LOG.info("{} is already running; repeated dispatch ignored", dispatch.getAttemptId());
      } else {
        meters.started(record.timestamp());
        if (spans.on()) {
          spans.add(DispatchSpan.of(record, dispatch, received));
        }
      }
    } finally {
      MDC.clear();
    }
  }

  /**
   * Starts a claimed attempt. When the runtime throws (its API refused or was away), the claim is
   * given back and the exception goes up, so the dispatch is read again from the last committed
   * offset and started then; after {@value #START_TRIES} tries the attempt is reported FAILED with
   * the runtime's error, and the engine's retry rules take over.
   */
  private boolean startClaimed(JobDispatch dispatch) {
    String id = dispatch.getAttemptId();
    if (dispatch.getHttp() != null) {
      boolean started = calls.start(dispatch, this::ended);
      if (started) {
        var unused = completions.publish(Reports.started(dispatch));
      }
      return started;
    }
    try {
      boolean started = runtime.start(dispatch, this::ended);
      startFailures.remove(id);
      if (started) {
        // The attempt's timeout counts from here, not from its dispatch: waiting for a slot is not
        // the job's time.
        var unused = completions.publish(Reports.started(dispatch));
      }
      return started;
    } catch (RuntimeException e) {
      int tries = startFailures.merge(id, 1, Integer::sum);
      if (tries < START_TRIES) {
        starts.release(id);
        throw new IllegalStateException(
            "could not start " + id + " (try " + tries + " of " + START_TRIES + "): " + e, e);
      }
      startFailures.remove(id);
      LOG.warn(
          "could not start {} after {} tries; reporting it FAILED: {}", id, tries, e.toString());
      meters.ended(CompletionStatus.FAILED.name());
      var unused =
          completions.publish(
              Reports.failed(
                  dispatch, "the runtime could not start the job after " + tries + " tries: " + e));
      return true;
    }
  }

  private void ended(JobCompletion completion) {
    meters.ended(completion.getStatus().name());
    var unused = completions.publish(completion); // kept and retried until written
  }

  private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
    meters.deadLettered("malformed");
    LOG.warn(
        "dead-lettered {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
    try {
      // Written before the dispatch's offset is committed: nothing is dropped unseen.
      deadLetters
          .send(DeadLetters.of(config.topics().dlq(), record.key(), record, reason, "dispatcher"))
          .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while dead-lettering", e);
    } catch (ExecutionException e) {
      throw new KafkaException("dead letter not written", e.getCause());
    }
  }

  @Override
  public void close() {
    stopping.set(true);
    PollLoops.stop(consumer, loop);
    calls.close();
    runtime.close();
    completions.close();
    starts.close();
    deadLetters.close();
    spans.close();
  }
}
