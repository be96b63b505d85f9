package dev.baton.dispatcher.kubernetes;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReportedAttemptsTest {
  final AttemptTokens tokens = AttemptTokens.processDefault();
  final Wire wire = Wire.json();
  final ReportedAttempts reported = new ReportedAttempts(wire, tokens);

  @Test
  void aCompletionWithItsTokenCounts() {
    reported.read(completion("r1/a/1", CompletionStatus.SUCCEEDED, tokens.forJob("r1/a/1")));
    assertTrue(reported.hasReported("r1/a/1"));
  }

  @Test
  void aForgedCompletionDoesNotCount() {
    reported.read(completion("r1/b/1", CompletionStatus.SUCCEEDED, "forged"));
    reported.read(completion("r1/c/1", CompletionStatus.FAILED, tokens.forJob("r1/b/1")));
    reported.read(completion("r1/d/1", CompletionStatus.FAILED, null));
    assertFalse(reported.hasReported("r1/b/1"));
    assertFalse(reported.hasReported("r1/c/1"));
    assertFalse(reported.hasReported("r1/d/1"));
  }

  @Test
  void aStartIsNotAnEnd() {
    reported.read(completion("r1/e/1", CompletionStatus.STARTED, tokens.forJob("r1/e/1")));
    assertFalse(reported.hasReported("r1/e/1"));
  }

  @Test
  void anUnreadableRecordIsSkipped() {
    reported.read("not json".getBytes(StandardCharsets.UTF_8));
    reported.read(null);
    reported.read(new byte[0]);
    reported.reported("r1/f/1");
    assertTrue(reported.hasReported("r1/f/1"));
  }

  private byte[] completion(String attemptId, CompletionStatus status, String token) {
    String[] parts = attemptId.split("/", -1);
    return wire.encode(
        "completions",
        JobCompletion.newBuilder()
            .setEventId(attemptId)
            .setRunId(parts[0])
            .setJob(parts[1])
            .setAttempt(Integer.parseInt(parts[2]))
            .setStatus(status)
            .setToken(token)
            .setOccurredAt(Instant.EPOCH)
            .build());
  }
}
