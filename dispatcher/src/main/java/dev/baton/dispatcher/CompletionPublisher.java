package dev.baton.dispatcher;

import dev.baton.events.JobCompletion;
import dev.baton.kafka.KafkaProperties;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Wire;
import dev.baton.tracing.TraceIds;
import dev.baton.tracing.Traceparent;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
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
 */
public final class CompletionPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CompletionPublisher.class);
  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final Wire wire;
  private final Function<JobCompletion, String> signer;
  private final Function<JobCompletion, Traceparent> context;

  public CompletionPublisher(
      String bootstrapServers,
      String topic,
      Map<String, String> kafka,
      Wire wire,
      Function<JobCompletion, String> signer,
      Function<JobCompletion, Traceparent> context) {
    this.wire = wire;
    this.context = context;
    this.signer = signer;
    this.producer =
        new KafkaProducer<>(
            KafkaProperties.reliableProducer(bootstrapServers, kafka),
            new StringSerializer(),
            new ByteArraySerializer());
    this.topic = topic;
  }

  /**
   * The dispatcher's publisher: its own reports carry its token for the attempt and, when {@code
   * traced}, the attempt's span.
   */
  public static CompletionPublisher forDispatcher(
      String bootstrapServers,
      String topic,
      Map<String, String> kafka,
      Wire wire,
      AttemptTokens tokens,
      boolean traced) {
    return new CompletionPublisher(
        bootstrapServers,
        topic,
        kafka,
        wire,
        c -> tokens.forDispatcher(AttemptTokens.attemptId(c)),
        traced ? c -> TraceIds.attempt(c.getRunId(), AttemptTokens.attemptId(c)) : c -> null);
  }

  public void publish(JobCompletion unsigned) {
    JobCompletion completion =
        JobCompletion.newBuilder(unsigned).setToken(signer.apply(unsigned)).build();
    try {
      ProducerRecord<String, byte[]> record =
          new ProducerRecord<>(topic, completion.getRunId(), wire.encode(topic, completion));
      Traceparent span = context.apply(completion);
      if (span != null) {
        record.headers().add(Traceparent.HEADER, span.bytes());
      }
      producer.send(record).get();
      LOG.debug("published completion {}", completion.getEventId());
    } catch (ExecutionException e) {
      LOG.error(
          "could not publish completion {}: {}", completion.getEventId(), e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
