package dev.baton.engine.decide;

import java.time.Instant;
import java.util.Map;

/**
 * One instance of a fan-out job: its item, status and last attempt, and when a dispatcher started
 * that attempt (null until it says so). Stored apart from the run.
 */
public record ItemState(
    String job,
    int index,
    String value,
    JobStatus status,
    int attempt,
    Map<String, String> outputs,
    Integer exitCode,
    String error,
    Instant startedAt) {

  public ItemState {
    outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
  }

  public String key() {
    return key(job, index);
  }

  public static String key(String job, int index) {
    return job + "/" + index;
  }

  /** Attempt {@code att} dispatched: RUNNING. */
  ItemState dispatched(int att) {
    return with(JobStatus.RUNNING, att, Map.of(), null, null);
  }

  /** The attempt succeeded with these outputs. */
  ItemState succeeded(Map<String, String> outs, Integer exit) {
    return with(JobStatus.SUCCEEDED, attempt, outs, exit, null);
  }

  /** The attempt failed; a retry is due later. */
  ItemState waiting(Integer exit, String why) {
    return with(JobStatus.WAITING, attempt, Map.of(), exit, why);
  }

  /** The attempt failed for good. */
  ItemState failed(Integer exit, String why) {
    return with(JobStatus.FAILED, attempt, Map.of(), exit, why);
  }

  /** The run stopped the instance. */
  ItemState cancelled(String why) {
    return with(JobStatus.CANCELLED, attempt, Map.of(), null, why);
  }

  /** PENDING again, to run again (a retry of the run); the attempt count is kept. */
  ItemState reset() {
    return with(JobStatus.PENDING, attempt, Map.of(), null, null);
  }

  private ItemState with(JobStatus s, int att, Map<String, String> outs, Integer exit, String err) {
    // A start belongs to its attempt while it runs.
    Instant started = s == JobStatus.RUNNING && att == attempt ? startedAt : null;
    return new ItemState(job, index, value, s, att, outs, exit, err, started);
  }

  ItemState started(Instant at) {
    return new ItemState(job, index, value, status, attempt, outputs, exitCode, error, at);
  }
}
