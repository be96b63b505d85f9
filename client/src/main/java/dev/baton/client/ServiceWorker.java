package dev.baton.client;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a service step's requests on one topic with a handler:
 *
 * <pre>{@code
 * ServiceWorker.on(client, "inventory.requests", request -> {
 *   String id = inventory.reserve(request.value().get("sku").asText());
 *   return Reply.succeeded(Map.of("reservationId", id));
 * }).concurrency(8).start();
 * }</pre>
 *
 * Each reply carries the request's token and {@code traceparent}. At most {@code concurrency}
 * handlers run at once; a request's offset is committed only once its reply is on Kafka, so a
 * worker that dies leaves what it held to the next one (the engine applies one reply per attempt).
 * A handler that throws answers FAILED with the exception's message; the worker goes on. A request
 * whose attempt has timed out (its deadline passed) is skipped: its reply would not be applied.
 */
public final class ServiceWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceWorker.class);
  private static final int MAX_REASON_CHARS = 4_096;

  /** Answers one request. */
  @FunctionalInterface
  public interface Handler {
    /** The reply to {@code request}; throwing is a FAILED reply with the exception's message. */
    Reply handle(ServiceRequest request) throws Exception;
  }

  private final BatonClient client;
  private final String topic;
  private final Handler handler;
  private int concurrency = 4;
  private String group;
  private Duration grace = Duration.ofSeconds(30);
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
  private final Offsets offsets = new Offsets();
  private KafkaConsumer<String, byte[]> consumer;
  private KafkaProducer<String, byte[]> producer;
  private ExecutorService pool;
  private Thread loop;

  private record Done(TopicPartition partition, long offset) {}

  private ServiceWorker(BatonClient client, String topic, Handler handler) {
    this.client = client;
    this.topic = topic;
    this.handler = handler;
    this.group = "baton-service-" + topic;
  }

  /** A worker (not started) answering the requests on {@code topic} with {@code handler}. */
  public static ServiceWorker on(BatonClient client, String topic, Handler handler) {
    if (topic == null || topic.isBlank()) {
      throw new BatonException("a service worker needs the topic its requests come on");
    }
    return new ServiceWorker(client, topic, handler);
  }

  /** How many handlers run at once (default 4). */
  public ServiceWorker concurrency(int handlers) {
    if (handlers < 1) {
      throw new BatonException("concurrency must be at least 1, got " + handlers);
    }
    this.concurrency = handlers;
    return this;
  }

  /**
   * The consumer group the workers of this service share (default {@code baton-service-<topic>}).
   */
  public ServiceWorker group(String groupId) {
    this.group = groupId;
    return this;
  }

  /** How long {@link #close} waits for the handlers running then (default 30 s). */
  public ServiceWorker grace(Duration value) {
    this.grace = value;
    return this;
  }

  /** Starts reading and answering; returns at once. */
  public synchronized ServiceWorker start() {
    if (!running.compareAndSet(false, true)) {
      throw new BatonException("this worker has started already");
    }
    BatonClient.Settings s = client.settings();
    Properties c = new Properties();
    c.putAll(s.kafka()); // the caller's settings win
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // requests of aborted decisions
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, concurrency);
    // A worker that dies without leaving (kill -9) holds its partitions until its session ends:
    // 10 s, not Kafka's 45, so the requests it held reach another worker within a step's timeout.
    c.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    c.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    Map<String, Object> p = new HashMap<>(s.kafka());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    pool = Executors.newFixedThreadPool(concurrency, r -> daemon(r, "baton-service-handler"));
    consumer.subscribe(List.of(topic), new Rebalance());
    loop = daemon(this::run, "baton-service-" + topic);
    loop.start();
    LOG.info("answering {} as group {} ({} at once)", topic, group, concurrency);
    return this;
  }

  /** Replies sent so far. */
  public long answered() {
    return answered.get();
  }

  /** Requests skipped so far: their attempt had timed out, or they were not Baton's. */
  public long skipped() {
    return skipped.get();
  }

  private void run() {
    try {
      while (running.get()) {
        commitAnswered();
        boolean full = inFlight.get() >= concurrency;
        if (full && consumer.paused().isEmpty()) {
          consumer.pause(consumer.assignment());
        } else if (!full && !consumer.paused().isEmpty()) {
          consumer.resume(consumer.paused());
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          offsets.read(tp, r.offset());
          take(tp, r);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("the worker on {} stopped reading: {}", topic, e.toString());
    } finally {
      finish();
    }
  }

  private void take(TopicPartition tp, ConsumerRecord<String, byte[]> r) {
    ServiceRequest request;
    try {
      request = ServiceRequest.of(r);
    } catch (IllegalArgumentException e) {
      LOG.warn("skipped {}@{} of {}: {}", r.partition(), r.offset(), topic, e.getMessage());
      skipped.incrementAndGet();
      done.add(new Done(tp, r.offset()));
      return;
    }
    Instant deadline = request.deadline();
    if (deadline != null && Instant.now().isAfter(deadline)) {
      skipped.incrementAndGet();
      done.add(new Done(tp, r.offset()));
      return;
    }
    inFlight.incrementAndGet();
    pool.execute(() -> answer(tp, request));
  }

  private void answer(TopicPartition tp, ServiceRequest request) {
    Instant started = Instant.now();
    Reply reply;
    try {
      reply = handler.handle(request);
      if (reply == null) {
        reply = Reply.failed("the service's handler gave no reply");
      }
    } catch (Exception | Error e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      String why = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
      reply = Reply.failed(why);
    }
    JobCompletion completion =
        JobCompletion.newBuilder()
            .setEventId(request.attemptId())
            .setRunId(request.runId())
            .setOccurredAt(Instant.now())
            .setJob(request.job())
            .setAttempt(request.attempt())
            .setItem(request.item())
            .setStatus(reply.success() ? CompletionStatus.SUCCEEDED : CompletionStatus.FAILED)
            .setExitCode(reply.success() ? 0 : 1)
            .setOutputs(reply.outputs())
            .setErrorTail(reply.reason() == null ? null : cut(reply.reason()))
            .setStartedAt(started)
            .setEndedAt(Instant.now())
            .setReporter("service-worker " + group)
            .setToken(request.token())
            .build();
    String replyTopic = request.replyTopic();
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(
            replyTopic, request.runId(), client.settings().wire().encode(replyTopic, completion));
    if (request.traceparent() != null) {
      record.headers().add(ServiceRequest.TRACEPARENT, request.traceparent());
    }
    try {
      producer.send(
          record,
          (meta, error) -> {
            inFlight.decrementAndGet();
            if (error == null) {
              answered.incrementAndGet();
              done.add(new Done(tp, request.record().offset()));
            } else {
              notSent(request, error);
            }
          });
    } catch (RuntimeException e) {
      inFlight.decrementAndGet();
      notSent(request, e);
    }
  }

  /** Not committed: the request is read again by this group's next worker. */
  private static void notSent(ServiceRequest request, Exception error) {
    LOG.warn("the reply to {} was not sent: {}", request.attemptId(), error.toString());
  }

  private static String cut(String reason) {
    return reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS);
  }

  private void commitAnswered() {
    Done d;
    boolean moved = false;
    while ((d = done.poll()) != null) {
      moved |= offsets.answered(d.partition(), d.offset());
    }
    if (moved) {
      consumer.commitSync(offsets.committable(consumer.assignment()));
    }
  }

  /** Lets the handlers running finish (at most the grace), commits their replies, stops. */
  private void finish() {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        pool.shutdownNow(); // the requests not answered are read again by the next worker
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pool.shutdownNow();
    }
    producer.flush();
    try {
      commitAnswered();
    } catch (RuntimeException e) {
      LOG.warn("the last offsets of {} were not committed: {}", topic, e.toString());
    }
    consumer.close(Duration.ofSeconds(5));
    producer.close(Duration.ofSeconds(5));
  }

  /** Stops reading, lets the handlers running finish and commits what was answered. */
  @Override
  public void close() {
    if (!running.getAndSet(false) || loop == null) {
      return;
    }
    consumer.wakeup();
    try {
      loop.join(grace.toMillis() + 15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      try {
        commitAnswered();
      } catch (RuntimeException e) {
        LOG.warn("offsets of revoked partitions not committed: {}", e.toString());
      }
      offsets.drop(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      offsets.drop(partitions);
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
