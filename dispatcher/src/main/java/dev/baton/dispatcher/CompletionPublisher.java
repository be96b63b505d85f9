package dev.baton.dispatcher;

import dev.baton.events.JobCompletion;
import dev.baton.kafka.KafkaProperties;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Wire;
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
 * each carries the token {@code signer} gives it (see {@link dev.baton.security.AttemptTokens}).
 */
public final class CompletionPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CompletionPublisher.class);
  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final Wire wire;
  private final Function<JobCompletion, String> signer;

  public CompletionPublisher(
      String bootstrapServers,
      String topic,
      Map<String, String> kafka,
      Wire wire,
      Function<JobCompletion, String> signer) {
    this.wire = wire;
    this.signer = signer;
    this.producer =
        new KafkaProducer<>(
            KafkaProperties.reliableProducer(bootstrapServers, kafka),
            new StringSerializer(),
            new ByteArraySerializer());
    this.topic = topic;
  }

  /** The dispatcher's publisher: its own reports carry its token for the attempt. */
  public static CompletionPublisher forDispatcher(
      String bootstrapServers,
      String topic,
      Map<String, String> kafka,
      Wire wire,
      AttemptTokens tokens) {
    return new CompletionPublisher(
        bootstrapServers,
        topic,
        kafka,
        wire,
        c -> tokens.forDispatcher(AttemptTokens.attemptId(c)));
  }

  public void publish(JobCompletion unsigned) {
    JobCompletion completion =
        JobCompletion.newBuilder(unsigned).setToken(signer.apply(unsigned)).build();
    try {
      producer
          .send(new ProducerRecord<>(topic, completion.getRunId(), wire.encode(topic, completion)))
          .get();
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
