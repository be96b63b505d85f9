package dev.baton.dispatcher;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import java.time.Instant;

/**
 * The completions a dispatcher reports for an attempt it was dispatched, each naming the attempt
 * the same way.
 */
public final class Reports {
  private Reports() {}

  /**
   * A completion of this attempt at {@code at}: event id, run, job, attempt and fan-out item filled
   * in.
   */
  public static JobCompletion.Builder of(JobDispatch d, Instant at) {
    return JobCompletion.newBuilder()
        .setEventId(d.getAttemptId())
        .setRunId(d.getRunId())
        .setOccurredAt(at)
        .setJob(d.getJob())
        .setAttempt(d.getAttempt())
        .setItem(d.getItem());
  }

  /** The attempt failed before its job could run, for the reason given. */
  public static JobCompletion failed(JobDispatch d, String why) {
    return of(d, Instant.now())
        .setStatus(CompletionStatus.FAILED)
        .setErrorTail(why)
        .setReporter("dispatcher")
        .build();
  }

  /** The attempt started now: its timeout counts from here. */
  public static JobCompletion started(JobDispatch d) {
    Instant now = Instant.now();
    return of(d, now)
        .setEventId(d.getAttemptId() + "/started")
        .setStatus(CompletionStatus.STARTED)
        .setStartedAt(now)
        .setReporter("dispatcher")
        .build();
  }
}
