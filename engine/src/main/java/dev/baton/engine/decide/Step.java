package dev.baton.engine.decide;

import dev.baton.events.JobCompletion;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.template.Template;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One decision in progress: the state so far, the commands and the transitions used. Local to one
 * {@link Decider#decide} call and mutable only there; every state change goes through {@link #put}
 * or {@link #moveRun}, which record the transition it makes.
 */
final class Step {
  RunState state;
  final Template template;
  final Instant now;
  final RunQuotas quotas;
  final List<EngineCommand> commands = new ArrayList<>();
  final List<String> transitions = new ArrayList<>();

  /** The items of artifacts a {@code forEach} iterates over, by their record (an input). */
  Map<String, ArtifactItems> artifactItems = Map.of();

  /** The artifacts a {@code forEach} iterates over that this decision lacked (an output). */
  final Set<String> artifactsToRead = new LinkedHashSet<>();

  /** The jobs that start once {@link #artifactsToRead} are read: this decision leaves them be. */
  final Set<String> readingArtifactsFor = new LinkedHashSet<>();

  /**
   * The fan-out instances loaded and changed: kept here, not copied into the state on every change.
   */
  final Map<String, ItemState> items;

  Step(RunState state, Template template, Instant now) {
    this(state, template, now, RunQuotas.NONE);
  }

  Step(RunState state, Template template, Instant now, RunQuotas quotas) {
    this.state = state;
    this.template = template;
    this.now = now;
    this.quotas = quotas;
    this.items = new LinkedHashMap<>(state.items());
  }

  Decision decision() {
    return new Decision(state.withItems(items), commands, transitions, artifactsToRead);
  }

  ItemState item(String job, int index) {
    return items.get(ItemState.key(job, index));
  }

  JobState job(String name) {
    return state.job(name);
  }

  void put(JobState job) {
    JobState old = state.job(job.name());
    if (old != null && old.status() != job.status()) {
      transitions.add(Transitions.job(old.status(), job.status()));
    }
    state = state.withJob(job);
  }

  void put(ItemState item) {
    ItemState old = items.get(item.key());
    if (old != null && old.status() != item.status()) {
      transitions.add(Transitions.job(old.status(), item.status()));
    }
    items.put(item.key(), item);
  }

  /** The id of the run's pending timeout timer; null when there is none. */
  void runTimeoutTimer(String timerId) {
    state = state.withRunTimeoutTimer(timerId);
  }

  void paused(boolean pause) {
    state = state.withPaused(pause);
  }

  /**
   * Moves the run; a top-level run that starts (or starts again) counts among its tenant's running
   * runs, and one that ends leaves them (or its tenant's queue).
   */
  void moveRun(RunStatus to, String detail, RunStatus outcome) {
    if (state.status() != to) {
      transitions.add(Transitions.run(state.status(), to));
      if (state.parent() == null && (to == RunStatus.RUNNING || to.isFinal())) {
        add(
            new EngineCommand.TenantRun(
                to == RunStatus.RUNNING
                    ? EngineCommand.TenantRun.Op.START
                    : EngineCommand.TenantRun.Op.END,
                state.tenantName(),
                state.priority(),
                state.status() == RunStatus.QUEUED));
      }
    }
    state = state.with(to, to.isFinal() ? now : null, detail, outcome);
  }

  void add(EngineCommand command) {
    commands.add(command);
  }

  /** The report being applied: the event that ends its attempt carries its start and log tails. */
  private JobCompletion report;

  void applying(JobCompletion completion) {
    report = completion;
  }

  /** Most characters of each log tail an event carries. */
  static final int MAX_TAIL = 4096;

  private static final Set<RunEventType> ATTEMPT_ENDS =
      EnumSet.of(RunEventType.JOB_SUCCEEDED, RunEventType.JOB_FAILED, RunEventType.JOB_RETRYING);

  private boolean endsReportedAttempt(
      RunEventType type, String job, Integer item, Integer attempt) {
    return report != null
        && ATTEMPT_ENDS.contains(type)
        && report.getJob().equals(job)
        && Objects.equals(report.getItem(), item)
        && attempt != null
        && report.getAttempt() == attempt;
  }

  private static String tail(String text) {
    return text == null || text.length() <= MAX_TAIL
        ? text
        : text.substring(text.length() - MAX_TAIL);
  }

  void emit(
      RunEventType type,
      String job,
      Integer item,
      Integer attempt,
      Integer exitCode,
      Map<String, String> outputs,
      String detail) {
    boolean reported = endsReportedAttempt(type, job, item, attempt);
    commands.add(
        new EngineCommand.EmitRunEvent(
            RunEvent.newBuilder()
                .setStartedAt(reported ? report.getStartedAt() : null)
                .setOutputTail(reported ? tail(report.getOutputTail()) : null)
                .setErrorTail(reported ? tail(report.getErrorTail()) : null)
                .setEventId(eventId(type, job, item, attempt))
                .setRunId(state.runId())
                .setOccurredAt(now)
                .setType(type)
                .setTemplate(state.template())
                .setTemplateVersion(state.templateVersion())
                .setJob(job)
                .setAttempt(attempt)
                .setItem(item)
                .setExitCode(exitCode)
                .setOutputs(outputs)
                .setDetail(detail)
                .setTenant(state.tenant())
                .build()));
  }

  /**
   * Deterministic: {@code <attempt id>/TYPE} for an attempt's event; otherwise the run's or job's
   * id, the type and the time (a rerun can start or end a run, or a job, again).
   */
  private String eventId(RunEventType type, String job, Integer item, Integer attempt) {
    if (attempt != null) {
      return JobState.attemptId(state.runId(), job, item, attempt) + "/" + type;
    }
    String subject =
        job == null
            ? state.runId()
            : state.runId() + "/" + job + (item == null ? "" : "[" + item + "]");
    return subject + "/" + type + "@" + now.toEpochMilli();
  }

  void emitRun(RunEventType type, String detail) {
    emit(type, null, null, null, null, Map.of(), detail);
  }
}
