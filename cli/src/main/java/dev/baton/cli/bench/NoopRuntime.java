package dev.baton.cli.bench;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The benchmark's job runtime: each dispatch is answered at once with a success signed as the
 * dispatcher signs it (after a STARTED report, as the dispatcher sends one, unless that is off); a
 * run's end is seen in its event's bytes without decoding them.
 */
final class NoopRuntime {
  private static final byte[] RUN_SUCCEEDED = "\"RUN_SUCCEEDED\"".getBytes(StandardCharsets.UTF_8);

  private static final byte[] JOB_WAITING = "\"JOB_WAITING\"".getBytes(StandardCharsets.UTF_8);

  private NoopRuntime() {}

  /** Whether a run event (JSON) is a JOB_WAITING. */
  static boolean isJobWaiting(byte[] event) {
    return indexOf(event, JOB_WAITING) >= 0;
  }

  /** Whether a run event (JSON) is a RUN_SUCCEEDED. */
  static boolean isRunSucceeded(byte[] event) {
    return indexOf(event, RUN_SUCCEEDED) >= 0;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The attempt's STARTED report on {@code topic}. */
  static ProducerRecord<String, byte[]> started(JobDispatch dispatch, String topic, Wire wire) {
    return new ProducerRecord<>(
        topic, dispatch.getRunId(), wire.encode(topic, startedOf(dispatch)));
  }

  /** The attempt's SUCCEEDED report on {@code topic}. */
  static ProducerRecord<String, byte[]> ended(JobDispatch dispatch, String topic, Wire wire) {
    return new ProducerRecord<>(
        topic, dispatch.getRunId(), wire.encode(topic, completionOf(dispatch)));
  }

  /** The attempt's STARTED report, as the dispatcher sends it before the job's end. */
  static JobCompletion startedOf(JobDispatch dispatch) {
    Instant now = Instant.now();
    return JobCompletion.newBuilder()
        .setEventId(dispatch.getAttemptId() + "/started")
        .setRunId(dispatch.getRunId())
        .setOccurredAt(now)
        .setJob(dispatch.getJob())
        .setAttempt(dispatch.getAttempt())
        .setItem(dispatch.getItem())
        .setStatus(CompletionStatus.STARTED)
        .setStartedAt(now)
        .setReporter("bench")
        .setToken(AttemptTokens.processDefault().forDispatcher(dispatch.getAttemptId()))
        .build();
  }

  static JobCompletion completionOf(JobDispatch dispatch) {
    Instant now = Instant.now();
    return JobCompletion.newBuilder()
        .setEventId(dispatch.getAttemptId())
        .setRunId(dispatch.getRunId())
        .setOccurredAt(now)
        .setJob(dispatch.getJob())
        .setAttempt(dispatch.getAttempt())
        .setItem(dispatch.getItem())
        .setStatus(CompletionStatus.SUCCEEDED)
        .setExitCode(0)
        .setStartedAt(now)
        .setEndedAt(now)
        .setReporter("bench")
        .setToken(AttemptTokens.processDefault().forDispatcher(dispatch.getAttemptId()))
        .build();
  }
}
