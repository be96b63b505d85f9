package dev.baton.dispatcher;

import dev.baton.concurrent.DaemonThreads;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.kafka.KafkaProperties;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.EventCodec;
import dev.baton.serde.Wire;
import dev.baton.tracing.TraceIds;
import dev.baton.tracing.Traceparent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes completions on the completions topic, keyed by run id, with an idempotent producer;
 * each carries the token {@code signer} gives it (see {@link dev.baton.security.AttemptTokens}) and
 * the {@code traceparent} header {@code context} gives it (none when that is null).
 *
 * <p>A report is kept ({@link PendingReports}) before it is sent and until Kafka has it: a send
 * that fails (Kafka away past the producer's delivery timeout) is tried again, with a backoff of up
 * to {@link #MAX_BACKOFF}, for as long as this publisher runs, and {@link #start} sends what an
 * earlier publisher left unsent. The future {@link #publish} returns completes when the report is
 * written: only then may what it reports be forgotten (a pod deleted). The engine applies a report
 * once, however often it is sent.
 */
public final class CompletionPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CompletionPublisher.class);
  private static final EventCodec<JobCompletion> JSON = EventCodec.of(JobCompletion.class);
  static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final KafkaProducer<String, byte[]> producer;
  private final BiConsumer<ProducerRecord<String, byte[]>, Callback> sender;
  private final String topic;
  private final Wire wire;
  private final Function<JobCompletion, String> signer;
  private final Function<JobCompletion, Traceparent> context;
  private final PendingReports pending;
  private final ScheduledExecutorService retries =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("baton-report-retry"));
  private volatile boolean closed;

  /** Futures of reports not written yet: failed when this publisher closes. */
  private final Set<CompletableFuture<Void>> unwritten = ConcurrentHashMap.newKeySet();

  public CompletionPublisher(
      String bootstrapServers,
      String topic,
      Map<String, String> kafka,
      Wire wire,
      Function<JobCompletion, String> signer,
      Function<JobCompletion, Traceparent> context) {
    this(bootstrapServers, topic, kafka, wire, signer, context, PendingReports.inMemory());
  }

  /** Keeping unsent reports in {@code pending}. */
  public CompletionPublisher(
      String bootstrapServers,
      String topic,
      Map<String, String> kafka,
      Wire wire,
      Function<JobCompletion, String> signer,
      Function<JobCompletion, Traceparent> context,
      PendingReports pending) {
    this(
        new KafkaProducer<>(
            KafkaProperties.reliableProducer(bootstrapServers, kafka),
            new StringSerializer(),
            new ByteArraySerializer()),
        null,
        topic,
        wire,
        signer,
        context,
        pending);
  }

  /** Sending with {@code sender} instead of a Kafka producer (tests). */
  CompletionPublisher(
      BiConsumer<ProducerRecord<String, byte[]>, Callback> sender,
      String topic,
      Wire wire,
      Function<JobCompletion, String> signer,
      PendingReports pending) {
    this(null, sender, topic, wire, signer, c -> null, pending);
  }

  private CompletionPublisher(
      KafkaProducer<String, byte[]> producer,
      BiConsumer<ProducerRecord<String, byte[]>, Callback> sender,
      String topic,
      Wire wire,
      Function<JobCompletion, String> signer,
      Function<JobCompletion, Traceparent> context,
      PendingReports pending) {
    this.producer = producer;
    this.sender = sender != null ? sender : producer::send;
    this.topic = topic;
    this.wire = wire;
    this.signer = signer;
    this.context = context;
    this.pending = pending;
  }

  /**
   * The dispatcher's publisher: its own reports carry its token for the attempt and, when {@code
   * traced}, the attempt's span; unsent ones are kept in {@code pending}.
   */
  public static CompletionPublisher forDispatcher(
      String bootstrapServers,
      String topic,
      Map<String, String> kafka,
      Wire wire,
      AttemptTokens tokens,
      boolean traced,
      PendingReports pending) {
    return new CompletionPublisher(
        bootstrapServers,
        topic,
        kafka,
        wire,
        c -> tokens.forDispatcher(AttemptTokens.attemptId(c)),
        traced ? c -> TraceIds.attempt(c.getRunId(), AttemptTokens.attemptId(c)) : c -> null,
        pending);
  }

  /** Sends the reports an earlier publisher kept and did not send. */
  public CompletionPublisher start() {
    Map<String, String> left = pending.all();
    if (!left.isEmpty()) {
      LOG.info("sending {} reports kept from before", left.size());
    }
    left.forEach(
        (id, json) -> {
          JobCompletion c = JSON.decode(json.getBytes(StandardCharsets.UTF_8));
          send(id, c, new CompletableFuture<>(), 0);
        });
    return this;
  }

  /** The report's id among those kept: a start report and an end report of one attempt differ. */
  static String reportId(JobCompletion c) {
    return AttemptTokens.attemptId(c)
        + (c.getStatus() == CompletionStatus.STARTED ? "/started" : "");
  }

  /**
   * Keeps and sends {@code unsigned}; the future completes once Kafka has it (exceptionally only if
   * this publisher closes first: the report stays kept for the next one).
   */
  public CompletableFuture<Void> publish(JobCompletion unsigned) {
    String id = reportId(unsigned);
    try {
      pending.keep(id, new String(JSON.encode(unsigned), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      LOG.warn("report {} not kept ({}); sending it all the same", id, e.toString());
    }
    CompletableFuture<Void> written = new CompletableFuture<>();
    unwritten.add(written);
    written.whenComplete((ok, failed) -> unwritten.remove(written));
    send(id, unsigned, written, 0);
    return written;
  }

  private void send(String id, JobCompletion unsigned, CompletableFuture<Void> written, int tries) {
    if (closed) {
      written.completeExceptionally(
          new IllegalStateException("the publisher closed before report " + id + " was written"));
      return;
    }
    JobCompletion completion =
        JobCompletion.newBuilder(unsigned).setToken(signer.apply(unsigned)).build();
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(topic, completion.getRunId(), wire.encode(topic, completion));
    Traceparent span = context.apply(completion);
    if (span != null) {
      record.headers().add(Traceparent.HEADER, span.bytes());
    }
    try {
      sender.accept(
          record,
          (meta, error) -> {
            if (error == null) {
              written(id, written);
            } else {
              retry(id, unsigned, written, tries, error);
            }
          });
    } catch (RuntimeException e) {
      retry(id, unsigned, written, tries, e);
    }
  }

  private void written(String id, CompletableFuture<Void> written) {
    try {
      pending.written(id);
    } catch (RuntimeException e) {
      LOG.warn("report {} written but still kept ({}); it may be sent again", id, e.toString());
    }
    LOG.debug("published report {}", id);
    written.complete(null);
  }

  private void retry(
      String id,
      JobCompletion unsigned,
      CompletableFuture<Void> written,
      int tries,
      Throwable why) {
    long delay = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(tries, 10));
    LOG.warn("report {} not written ({}); trying again in {} ms", id, why.toString(), delay);
    try {
      var unused =
          retries.schedule(
              () -> send(id, unsigned, written, tries + 1), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      written.completeExceptionally(e); // closing: the report stays kept
    }
  }

  @Override
  public void close() {
    closed = true;
    retries.shutdownNow();
    for (CompletableFuture<Void> w : List.copyOf(unwritten)) {
      w.completeExceptionally(
          new IllegalStateException("the publisher closed before the report was written"));
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    pending.close();
  }
}
