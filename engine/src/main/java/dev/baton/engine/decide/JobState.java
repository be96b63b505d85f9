package dev.baton.engine.decide;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One job of a run: its current attempt and how the last attempt ended. A fan-out job ({@code items
 * != null}) is RUNNING while instances remain; its instances live apart ({@link ItemState}), and
 * here are only counters: {@code nextItem} (the next index never dispatched), {@code itemsActive}
 * (dispatched, not final), {@code itemsDone}, {@code itemsFailed}, and {@code requeued} (indexes a
 * rerun dispatches again first).
 */
public record JobState(
    String name,
    JobStatus status,
    int attempt,
    Map<String, String> outputs,
    Integer exitCode,
    String error,
    Instant dispatchedAt,
    Instant startedAt,
    Instant endedAt,
    Integer items,
    int nextItem,
    int itemsActive,
    int itemsDone,
    int itemsFailed,
    List<Integer> requeued) {

  public JobState {
    outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
    requeued = requeued == null ? List.of() : List.copyOf(requeued);
  }

  public static JobState pending(String name) {
    return new JobState(
        name,
        JobStatus.PENDING,
        0,
        Map.of(),
        null,
        null,
        null,
        null,
        null,
        null,
        0,
        0,
        0,
        0,
        List.of());
  }

  public boolean fansOut() {
    return items != null;
  }

  JobState with(
      JobStatus s,
      int att,
      Map<String, String> outs,
      Integer exit,
      String err,
      Instant dispatched,
      Instant started,
      Instant ended) {
    return new JobState(
        name,
        s,
        att,
        outs,
        exit,
        err,
        dispatched,
        started,
        ended,
        items,
        nextItem,
        itemsActive,
        itemsDone,
        itemsFailed,
        requeued);
  }

  JobState withStatus(JobStatus s) {
    return with(s, attempt, outputs, exitCode, error, dispatchedAt, startedAt, endedAt);
  }

  JobState withCounters(
      Integer itemCount, int next, int active, int done, int failed, List<Integer> queue) {
    return new JobState(
        name,
        status,
        attempt,
        outputs,
        exitCode,
        error,
        dispatchedAt,
        startedAt,
        endedAt,
        itemCount,
        next,
        active,
        done,
        failed,
        queue);
  }

  /**
   * The attempt id {@code runId/job/attempt}: pod names, dedup keys and completion ids derive from
   * it.
   */
  public static String attemptId(String runId, String job, int attempt) {
    return runId + "/" + job + "/" + attempt;
  }

  /** The attempt id of a fan-out instance: {@code runId/job[index]/attempt}. */
  public static String attemptId(String runId, String job, Integer item, int attempt) {
    return item == null
        ? attemptId(runId, job, attempt)
        : runId + "/" + job + "[" + item + "]/" + attempt;
  }
}
