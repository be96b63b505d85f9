package dev.baton.engine.decide;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One job of a run: its current attempt and how the last attempt ended. A fan-out job ({@code items
 * != null}) is RUNNING while instances remain; its instances live apart ({@link ItemState}), and
 * here are only counters: {@code nextItem} (the next index never dispatched), {@code itemsActive}
 * (dispatched, not final), {@code itemsDone}, {@code itemsFailed}, and {@code requeued} (indexes a
 * rerun dispatches again first). {@code awaiting} says what a running wait step waits for (null for
 * a job that runs something). {@code cacheKey} is the resolved cache key of the current attempt of
 * a job with {@code cache} (null otherwise): while the attempt is RUNNING and not yet dispatched,
 * the engine is looking it up; {@code cached} says a SUCCEEDED job's outputs came from the cache.
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
    List<Integer> requeued,
    Awaiting awaiting,
    String cacheKey,
    boolean cached) {

  /**
   * What a wait step's attempt waits for: an event on {@code topic} whose key is {@code key}, or an
   * approval with {@code prompt} and {@code inputs}; {@code until} is when it times out (null:
   * never).
   */
  public record Awaiting(
      String topic, String key, String prompt, List<String> inputs, Instant until) {
    public Awaiting {
      inputs = inputs == null ? List.of() : List.copyOf(inputs);
    }

    public boolean approval() {
      return topic == null;
    }
  }

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
        List.of(),
        null,
        null,
        false);
  }

  public boolean fansOut() {
    return items != null;
  }

  private JobState with(
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
        requeued,
        s == JobStatus.RUNNING && att == attempt ? awaiting : null,
        att == attempt ? cacheKey : null,
        att == attempt && s == status && cached);
  }

  /** The running attempt waits for {@code what}. */
  JobState awaiting(Awaiting what) {
    return counted(items, nextItem, itemsActive, itemsDone, itemsFailed, requeued, what);
  }

  /** Attempt {@code att} dispatched at {@code at}: RUNNING, nothing of an earlier attempt kept. */
  JobState dispatched(int att, Instant at) {
    return with(JobStatus.RUNNING, att, Map.of(), null, null, at, null, null);
  }

  /** The runtime started the attempt at {@code at}. */
  JobState started(Instant at) {
    return with(JobStatus.RUNNING, attempt, Map.of(), null, null, dispatchedAt, at, null);
  }

  /** The attempt succeeded with these outputs. */
  JobState succeeded(Map<String, String> outs, Integer exit, Instant started, Instant ended) {
    return with(JobStatus.SUCCEEDED, attempt, outs, exit, null, dispatchedAt, started, ended);
  }

  /** The attempt failed; a retry is due later. */
  JobState waiting(Integer exit, String why, Instant started, Instant ended) {
    return with(JobStatus.WAITING, attempt, Map.of(), exit, why, dispatchedAt, started, ended);
  }

  /** The attempt failed for good. */
  JobState failed(Integer exit, String why, Instant started, Instant ended) {
    return with(JobStatus.FAILED, attempt, Map.of(), exit, why, dispatchedAt, started, ended);
  }

  /**
   * The job failed before any attempt ran (its dispatch could not be built, its condition broke).
   */
  JobState failedBeforeStart(String why, Instant at) {
    return with(JobStatus.FAILED, attempt, Map.of(), null, why, null, null, at);
  }

  /** The job will not run: its condition is false or it needs a skipped job's outputs. */
  JobState skipped(String why, Instant at) {
    return with(JobStatus.SKIPPED, attempt, Map.of(), null, why, null, null, at);
  }

  /**
   * The run stopped the job at {@code at}; {@code exit} and {@code why} say what is known of its
   * end.
   */
  JobState cancelled(Integer exit, String why, Instant at) {
    return with(JobStatus.CANCELLED, attempt, Map.of(), exit, why, dispatchedAt, startedAt, at);
  }

  /** PENDING again, to run again (a retry of the run); the attempt count is kept. */
  JobState reset() {
    return with(JobStatus.PENDING, attempt, Map.of(), null, null, null, null, null);
  }

  /** The same job with these outputs (outputs are stored apart from the run document). */
  JobState withOutputs(Map<String, String> outs) {
    return with(status, attempt, outs, exitCode, error, dispatchedAt, startedAt, endedAt);
  }

  JobState withStatus(JobStatus s) {
    return with(s, attempt, outputs, exitCode, error, dispatchedAt, startedAt, endedAt);
  }

  JobState withCounters(
      Integer itemCount, int next, int active, int done, int failed, List<Integer> queue) {
    return counted(itemCount, next, active, done, failed, queue, awaiting);
  }

  /** This attempt as it is, with these fan-out counters and this wait. */
  private JobState counted(
      Integer itemCount,
      int next,
      int active,
      int done,
      int failed,
      List<Integer> queue,
      Awaiting what) {
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
        queue,
        what,
        cacheKey,
        cached);
  }

  /** Attempt {@code att} looks up its result in the cache under {@code key} before it runs. */
  JobState lookingUp(int att, String key) {
    return cacheStep(JobStatus.RUNNING, att, Map.of(), null, key, false);
  }

  /** The attempt is looking up its result in the cache: it is not dispatched yet. */
  public boolean inLookup() {
    return status == JobStatus.RUNNING && cacheKey != null && dispatchedAt == null;
  }

  /** The attempt succeeded with outputs from the cache. */
  JobState fromCache(Map<String, String> outs, Instant at) {
    return cacheStep(JobStatus.SUCCEEDED, attempt, outs, at, cacheKey, true);
  }

  /** A step of a cached job that dispatches nothing: no exit code, error or runtime times. */
  private JobState cacheStep(
      JobStatus s, int att, Map<String, String> outs, Instant ended, String key, boolean hit) {
    return new JobState(
        name,
        s,
        att,
        outs,
        null,
        null,
        null,
        null,
        ended,
        items,
        nextItem,
        itemsActive,
        itemsDone,
        itemsFailed,
        requeued,
        null,
        key,
        hit);
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
