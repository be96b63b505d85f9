package dev.baton.engine.decide;

import java.util.List;

/**
 * The run and job state machines as transition tables. {@link Decider} moves a run or a job only
 * along these rows; a move that is not here is a bug and throws, and {@link Decider#decide} then
 * refuses the record (dead-lettered, its run ended FAILED). Every decision lists the rows it used,
 * and a test fails if a row is never used by the tests.
 */
public final class Transitions {
  private Transitions() {}

  /** A run's rows; NEW is a run that does not exist yet. */
  public static final List<String> RUN =
      List.of(
          "NEW->RUNNING", // a trigger starts the run
          "NEW->QUEUED", // ... or queues it behind maxConcurrentRuns
          "QUEUED->RUNNING", // admitted when an earlier run ends
          "QUEUED->CANCELLED", // cancelled while queued
          "RUNNING->SUCCEEDED", // every job succeeded or was skipped
          "RUNNING->FAILED", // a job failed for good, or the run timed out
          "RUNNING->CANCELLED", // cancelled
          "FAILED->RUNNING"); // rerun from the failed jobs

  /** A job's rows; fan-out instances use the same machine. */
  public static final List<String> JOB =
      List.of(
          "PENDING->RUNNING", // dispatched
          "PENDING->SKIPPED", // its condition is false, or it needs outputs of a skipped job
          "PENDING->FAILED", // its condition, list or references could not be evaluated
          "PENDING->SUCCEEDED", // fan-out over an empty list
          "RUNNING->SUCCEEDED", // completed
          "RUNNING->FAILED", // failed with no retry left
          "RUNNING->WAITING", // failed; a retry is due after the backoff
          "RUNNING->CANCELLED", // stopped: cancel, run timeout, or another job failed
          "RUNNING->PENDING", // its cache lookup missed while the run was paused
          "WAITING->RUNNING", // the retry's timer fired
          "WAITING->CANCELLED", // stopped while waiting for a retry
          "WAITING->PENDING", // its retry came due while the run was paused
          "FAILED->PENDING", // rerun
          "CANCELLED->PENDING", // rerun
          "SUCCEEDED->PENDING"); // rerun: the exit handler runs again when the rerun ends

  static String run(RunStatus from, RunStatus to) {
    return check(RUN, "run", (from == null ? "NEW" : from.name()) + "->" + to.name());
  }

  static String job(JobStatus from, JobStatus to) {
    return check(JOB, "job", from.name() + "->" + to.name());
  }

  private static String check(List<String> table, String machine, String row) {
    if (!table.contains(row)) {
      throw new IllegalStateException("no " + machine + " transition " + row);
    }
    return machine + ":" + row;
  }
}
