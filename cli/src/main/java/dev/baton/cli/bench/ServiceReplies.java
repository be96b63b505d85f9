package dev.baton.cli.bench;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.serde.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The benchmark's service on Kafka: it answers a service step's request at once, from the request's
 * headers alone (as a real service would), with a SUCCEEDED completion carrying the attempt's
 * token.
 */
final class ServiceReplies {
  private ServiceReplies() {}

  /** The run a request belongs to (null: not a service step's request). */
  static String runId(ConsumerRecord<String, byte[]> request) {
    return header(request, "baton-run-id");
  }

  /** The completion that answers {@code request}, on the topic its headers name. */
  static ProducerRecord<String, byte[]> reply(ConsumerRecord<String, byte[]> request, Wire wire) {
    String item = header(request, "baton-item");
    String topic = header(request, "baton-reply-topic");
    Instant now = Instant.now();
    JobCompletion completion =
        JobCompletion.newBuilder()
            .setEventId(header(request, "baton-attempt-id"))
            .setRunId(runId(request))
            .setOccurredAt(now)
            .setJob(header(request, "baton-job"))
            .setAttempt(Integer.parseInt(header(request, "baton-attempt")))
            .setItem(item == null ? null : Integer.valueOf(item))
            .setStatus(CompletionStatus.SUCCEEDED)
            .setStartedAt(now)
            .setEndedAt(now)
            .setReporter("bench-service")
            .setToken(header(request, "baton-attempt-token"))
            .build();
    return new ProducerRecord<>(topic, completion.getRunId(), wire.encode(topic, completion));
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
