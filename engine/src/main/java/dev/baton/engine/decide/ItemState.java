package dev.baton.engine.decide;

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
    java.time.Instant startedAt) {

  public ItemState {
    outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
  }

  public String key() {
    return key(job, index);
  }

  public static String key(String job, int index) {
    return job + "/" + index;
  }

  ItemState with(JobStatus s, int att, Map<String, String> outs, Integer exit, String err) {
    // A start belongs to its attempt while it runs.
    java.time.Instant started = s == JobStatus.RUNNING && att == attempt ? startedAt : null;
    return new ItemState(job, index, value, s, att, outs, exit, err, started);
  }

  ItemState started(java.time.Instant at) {
    return new ItemState(job, index, value, status, attempt, outputs, exitCode, error, at);
  }
}
