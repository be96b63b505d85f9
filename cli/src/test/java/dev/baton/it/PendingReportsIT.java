package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.dispatcher.CompletionPublisher;
import dev.baton.dispatcher.PendingReports;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.kafka.TopicAdmin;
import dev.baton.redis.RedisSettings;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A report the dispatcher could not write (Kafka away past its delivery timeout) is kept in Redis
 * and written by the next dispatcher that starts: on the shared broker and Redis.
 */
class PendingReportsIT {
  static JobCompletion report(String runId) {
    return JobCompletion.newBuilder()
        .setEventId(runId + "/a/1")
        .setRunId(runId)
        .setJob("a")
        .setAttempt(1)
        .setStatus(CompletionStatus.SUCCEEDED)
        .setOutputs(Map.of("n", "1"))
        .build();
  }

  @Test
  void aReportKafkaDidNotTakeIsWrittenByTheNextDispatcher() throws Exception {
    String bootstrap = SharedBroker.bootstrapServers();
    RedisSettings redis = RedisSettings.of(SharedBroker.redisUrl());
    Topics topics = Topics.withPrefix("pending");
    TopicAdmin.ensureTopics(bootstrap, topics, 1, (short) 1, Map.of());
    AttemptTokens tokens = AttemptTokens.processDefault();

    // Kafka is away: nothing listens where this dispatcher looks for it.
    PendingReports kept = PendingReports.redis(redis, "pending-dispatchers");
    try (CompletionPublisher away =
        CompletionPublisher.forDispatcher(
            "127.0.0.1:" + dev.baton.cli.dev.DevFiles.freePort(),
            topics.completions(),
            Map.of(
                "max.block.ms", "500", "delivery.timeout.ms", "1000", "request.timeout.ms", "500"),
            Wire.json(),
            tokens,
            false,
            kept)) {
      var unused = away.publish(report("pending-1"));
      await().atMost(Duration.ofSeconds(10)).until(() -> kept.all().containsKey("pending-1/a/1"));
    }

    // The next dispatcher, Kafka back.
    PendingReports again = PendingReports.redis(redis, "pending-dispatchers");
    try (CompletionPublisher back =
        CompletionPublisher.forDispatcher(
                bootstrap, topics.completions(), Map.of(), Wire.json(), tokens, false, again)
            .start()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> again.all().isEmpty());
    }
    var written = new TopicReaderOnce(bootstrap, topics.completions()).values();
    assertEquals(1, written.size());
    String json = new String(written.get(0), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"runId\":\"pending-1\""), json);
    assertTrue(json.contains(tokens.forDispatcher("pending-1/a/1")), "signed when sent: " + json);
  }
}
