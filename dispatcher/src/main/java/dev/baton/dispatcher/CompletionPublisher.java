package dev.baton.dispatcher;

import dev.baton.events.JobCompletion;
import dev.baton.serde.Wire;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Publishes completions on the completions topic, keyed by run id, with an idempotent producer. */
public final class CompletionPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CompletionPublisher.class);
  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final Wire wire;

  public CompletionPublisher(String bootstrapServers, String topic, Map<String, String> kafka, Wire wire) {
    this.wire = wire;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.putAll(kafka);
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.topic = topic;
  }

  public void publish(JobCompletion completion) {
    try {
      producer.send(new ProducerRecord<>(topic, completion.getRunId(), wire.encode(topic, completion))).get();
      LOG.debug("published completion {}", completion.getEventId());
    } catch (ExecutionException e) {
      LOG.error("could not publish completion {}: {}", completion.getEventId(), e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
