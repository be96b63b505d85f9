package dev.baton.dispatcher;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import java.time.Instant;
import java.util.Map;

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

  /**
   * The attempt's end as its runtime saw it ({@code reporter}: local, warm-pod): status, exit code,
   * outputs, the tails of its error and output streams (blank: none), when it started and ended.
   */
  public static JobCompletion ended(
      JobDispatch d,
      String reporter,
      CompletionStatus status,
      Integer exit,
      Map<String, String> outputs,
      String error,
      String output,
      Instant started,
      Instant ended) {
    return of(d, ended != null ? ended : Instant.now())
        .setStatus(status)
        .setExitCode(exit)
        .setOutputs(outputs)
        .setErrorTail(error)
        .setOutputTail(output == null || output.isBlank() ? null : output)
        .setStartedAt(started)
        .setEndedAt(ended)
        .setReporter(reporter)
        .build();
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
