package dev.baton.engine.decide;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of one run: pinned template version, params after defaults, every job in template order
 * (the exit handler last). {@code outcome} is set while the exit handler runs: the status the run
 * will end with. {@code runTimeoutTimer} is the id of the pending run timeout, if any. {@code
 * paused}: a person paused the run, and nothing new is dispatched until it resumes. {@code items}
 * holds the fan-out instances this decision needs (loaded apart, see {@link Needs}) and those it
 * changed; it is not part of the stored run document. {@code parent} (null for a run started by a
 * trigger) is the job attempt of another run that started this one as its child. Immutable; {@link
 * Decider} returns a new one.
 */
public record RunState(
    String runId,
    String template,
    int templateVersion,
    RunStatus status,
    Map<String, String> params,
    Map<String, JobState> jobs,
    Instant createdAt,
    Instant endedAt,
    String detail,
    RunStatus outcome,
    String runTimeoutTimer,
    boolean paused,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, ItemState> items,
    @JsonInclude(JsonInclude.Include.NON_NULL) Parent parent,
    String tenant,
    int priority) {

  /** The tenant of runs that name none. */
  public static final String DEFAULT_TENANT = "default";

  /** This run's tenant: {@link #DEFAULT_TENANT} for runs stored before tenants. */
  public String tenantName() {
    return tenant == null ? DEFAULT_TENANT : tenant;
  }

  /**
   * The attempt of a parent run's job (a fan-out instance when {@code item} is set) that started
   * this run; {@code depth} is this run's level (a child of a top-level run is 1).
   */
  public record Parent(String runId, String job, Integer item, int attempt, int depth) {
    /** The parent's attempt id: the child reports to it. */
    public String attemptId() {
      return JobState.attemptId(runId, job, item, attempt);
    }
  }

  /** This run's level: 0 for a run started by a trigger. */
  public int depth() {
    return parent == null ? 0 : parent.depth();
  }

  public RunState {
    params = Map.copyOf(params);
    jobs = Collections.unmodifiableMap(new LinkedHashMap<>(jobs));
    items = items == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(items));
  }

  public JobState job(String name) {
    return jobs.get(name);
  }

  public ItemState item(String job, int index) {
    return items.get(ItemState.key(job, index));
  }

  /**
   * A run not started yet: its jobs all pending, no status, no tenant or priority (a trigger's
   * checks give those), created at {@code createdAt}.
   */
  static RunState created(
      String runId,
      String template,
      int templateVersion,
      Map<String, String> params,
      Map<String, JobState> jobs,
      Instant createdAt,
      Parent parent) {
    return new RunState(
        runId,
        template,
        templateVersion,
        null,
        params,
        jobs,
        createdAt,
        null,
        null,
        null,
        null,
        false,
        Map.of(),
        parent,
        null,
        0);
  }

  /** This state, of {@code newTenant}, with {@code newPriority} in it. */
  RunState withTenant(String newTenant, int newPriority) {
    return new RunState(
        runId,
        template,
        templateVersion,
        status,
        params,
        jobs,
        createdAt,
        endedAt,
        detail,
        outcome,
        runTimeoutTimer,
        paused,
        items,
        parent,
        newTenant,
        newPriority);
  }

  /** This state with {@code loaded} as its fan-out instances. */
  public RunState withItems(Map<String, ItemState> loaded) {
    return copy(status, jobs, endedAt, detail, outcome, runTimeoutTimer, paused, loaded);
  }

  /**
   * Outputs of the jobs that have any, by job: stored apart, and rewritten only when they change.
   */
  public Map<String, Map<String, String>> outputsByJob() {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    jobs.forEach(
        (name, job) -> {
          if (!job.outputs().isEmpty()) {
            out.put(name, job.outputs());
          }
        });
    return out;
  }

  /** This state without job outputs (see {@link #outputsByJob}). */
  public RunState withoutOutputs() {
    Map<String, JobState> copy = new LinkedHashMap<>();
    jobs.forEach((name, job) -> copy.put(name, job.withOutputs(Map.of())));
    return withJobs(copy);
  }

  /** This state with the stored outputs put back. */
  public RunState withOutputs(Map<String, Map<String, String>> outputs) {
    Map<String, JobState> copy = new LinkedHashMap<>();
    jobs.forEach(
        (name, job) -> copy.put(name, job.withOutputs(outputs.getOrDefault(name, Map.of()))));
    return withJobs(copy);
  }

  /** The stored document: everything but the instances. */
  public RunState withoutItems() {
    return withItems(Map.of());
  }

  RunState withRunTimeoutTimer(String timerId) {
    return copy(status, jobs, endedAt, detail, outcome, timerId, paused, items);
  }

  RunState withPaused(boolean pause) {
    return copy(status, jobs, endedAt, detail, outcome, runTimeoutTimer, pause, items);
  }

  RunState withJob(JobState job) {
    Map<String, JobState> copy = new LinkedHashMap<>(jobs);
    copy.put(job.name(), job);
    return withJobs(copy);
  }

  private RunState withJobs(Map<String, JobState> newJobs) {
    return copy(status, newJobs, endedAt, detail, outcome, runTimeoutTimer, paused, items);
  }

  RunState with(RunStatus s, Instant ended, String why, RunStatus pendingOutcome) {
    return copy(s, jobs, ended, why, pendingOutcome, runTimeoutTimer, paused, items);
  }

  private RunState copy(
      RunStatus newStatus,
      Map<String, JobState> newJobs,
      Instant newEndedAt,
      String newDetail,
      RunStatus newOutcome,
      String newRunTimeoutTimer,
      boolean newPaused,
      Map<String, ItemState> newItems) {
    return new RunState(
        runId,
        template,
        templateVersion,
        newStatus,
        params,
        newJobs,
        createdAt,
        newEndedAt,
        newDetail,
        newOutcome,
        newRunTimeoutTimer,
        newPaused,
        newItems,
        parent,
        tenant,
        priority);
  }
}
