package dev.baton.engine.decide;

import dev.baton.engine.decide.EngineCommand.DispatchJob;
import dev.baton.engine.decide.EngineCommand.EmitRunEvent;
import dev.baton.engine.decide.EngineCommand.Ignore;
import dev.baton.engine.decide.EngineCommand.Reject;
import dev.baton.engine.decide.EngineEvent.CommandReceived;
import dev.baton.engine.decide.EngineEvent.JobCompleted;
import dev.baton.engine.decide.EngineEvent.TriggerReceived;
import dev.baton.engine.template.JobSpec;
import dev.baton.engine.template.Template;
import dev.baton.events.CompletionStatus;
import dev.baton.events.DispatchAction;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.events.RunCommand;
import dev.baton.events.RunEventType;
import dev.baton.events.WorkflowTrigger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decision core: {@code decide(state, event, template, now)} returns the new state and the
 * commands to carry out. Pure: no clock ({@code now} is the input record's timestamp), no random
 * ids, no I/O, inputs are not mutated. Illegal inputs become {@link Reject}, not exceptions.
 */
public final class Decider {
  private Decider() {}

  public static Decision decide(RunState state, EngineEvent event, Template template, Instant now) {
    if (event instanceof TriggerReceived t) {
      return onTrigger(state, t, template, now);
    }
    if (state == null) {
      return reject(null, "no run '" + event.runId() + "' is known (it never started, or it ended and expired)");
    }
    if (event instanceof JobCompleted c) {
      return onCompletion(state, c.completion(), template, now);
    }
    return onCommand(state, ((CommandReceived) event).command(), now);
  }

  private static Decision onTrigger(RunState state, TriggerReceived event, Template template, Instant now) {
    WorkflowTrigger trigger = event.trigger();
    if (state != null) {
      return ignore(state, "run '" + event.runId() + "' already exists; a trigger starts a run once");
    }
    if (template == null) {
      String version = trigger.getTemplateVersion() == null ? "" : " version " + trigger.getTemplateVersion();
      return reject(null, "unknown template '" + trigger.getTemplate() + "'" + version);
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (Map.Entry<String, String> given : trigger.getParams().entrySet()) {
      if (!template.params().containsKey(given.getKey())) {
        return reject(null, "unknown parameter '" + given.getKey() + "' for template '" + template.name()
            + "' (declared: " + String.join(", ", template.params().keySet()) + ")");
      }
      params.put(given.getKey(), given.getValue());
    }
    for (var spec : template.params().values()) {
      if (!params.containsKey(spec.name())) {
        if (spec.required()) {
          return reject(null, "missing required parameter '" + spec.name() + "' for template '" + template.name() + "'");
        }
        params.put(spec.name(), spec.defaultValue() == null ? "" : spec.defaultValue());
      }
    }
    Map<String, JobState> jobs = new LinkedHashMap<>();
    template.jobs().forEach(j -> jobs.put(j.name(), JobState.pending(j.name())));
    RunState created = new RunState(
        event.runId(), template.name(), template.version(), RunStatus.RUNNING, params, jobs, now, null, null);
    Step step = new Step(created, template, now);
    step.emit(RunEventType.RUN_STARTED, null, null, null, Map.of(), "template " + template.storeKey());
    step.advance();
    return step.decision();
  }

  private static Decision onCompletion(RunState state, JobCompletion c, Template template, Instant now) {
    JobState job = state.job(c.getJob());
    if (job == null) {
      return reject(state, "run '" + state.runId() + "' has no job '" + c.getJob() + "'");
    }
    if (job.status() != JobStatus.RUNNING || job.attempt() != c.getAttempt()) {
      return ignore(state, "completion of " + JobState.attemptId(state.runId(), c.getJob(), c.getAttempt())
          + " ignored: the job is " + job.status() + " at attempt " + job.attempt());
    }
    Step step = new Step(state, template, now);
    if (c.getStatus() == CompletionStatus.SUCCEEDED) {
      step.succeed(job, c);
    } else {
      step.fail(job, c, failureText(c));
    }
    step.advance();
    return step.decision();
  }

  private static Decision onCommand(RunState state, RunCommand command, Instant now) {
    switch (command.getType()) {
      case CANCEL:
        if (state.status().isFinal()) {
          return ignore(state, "run '" + state.runId() + "' already ended " + state.status());
        }
        Step step = new Step(state, null, now);
        step.cancel(command.getReason());
        return step.decision();
      default:
        return reject(state, "command " + command.getType() + " is not supported");
    }
  }

  static String failureText(JobCompletion c) {
    StringBuilder s = new StringBuilder(c.getStatus() == CompletionStatus.TIMED_OUT ? "timed out" : "failed");
    if (c.getExitCode() != null) {
      s.append(" with exit code ").append(c.getExitCode());
    }
    if (c.getErrorTail() != null && !c.getErrorTail().isBlank()) {
      s.append(": ").append(c.getErrorTail().strip());
    }
    return s.toString();
  }

  private static Decision reject(RunState state, String reason) {
    return new Decision(state, List.of(new Reject(reason)));
  }

  private static Decision ignore(RunState state, String reason) {
    return new Decision(state, List.of(new Ignore(reason)));
  }

  /** One decision in progress: a local, mutable accumulator; nothing outside the call sees it. */
  private static final class Step {
    private RunState state;
    private final Template template;
    private final Instant now;
    private final List<EngineCommand> commands = new ArrayList<>();

    Step(RunState state, Template template, Instant now) {
      this.state = state;
      this.template = template;
      this.now = now;
    }

    Decision decision() {
      return new Decision(state, commands);
    }

    /** Dispatches every pending job whose dependencies succeeded; ends the run when nothing is left. */
    void advance() {
      if (state.status().isFinal()) {
        return;
      }
      for (JobSpec spec : template.jobs()) {
        JobState job = state.job(spec.name());
        if (job.status() == JobStatus.PENDING && dependenciesSucceeded(spec)) {
          dispatch(spec, job);
          if (state.status().isFinal()) {
            return;
          }
        }
      }
      boolean allSucceeded = state.jobs().values().stream().allMatch(j -> j.status() == JobStatus.SUCCEEDED);
      if (allSucceeded) {
        state = state.ended(RunStatus.SUCCEEDED, now, null);
        emit(RunEventType.RUN_SUCCEEDED, null, null, null, Map.of(), null);
      }
    }

    /** A job depends on the job listed before it: jobs run in the order listed. */
    private boolean dependenciesSucceeded(JobSpec spec) {
      int index = template.jobs().indexOf(spec);
      return index == 0 || state.job(template.jobs().get(index - 1).name()).status() == JobStatus.SUCCEEDED;
    }

    private void dispatch(JobSpec spec, JobState job) {
      int attempt = job.attempt() + 1;
      Substitution sub = new Substitution(state);
      List<String> command;
      Map<String, String> env = new LinkedHashMap<>(state.params());
      String image;
      try {
        command = spec.command().stream().map(sub::apply).toList();
        spec.env().forEach((k, v) -> env.put(k, sub.apply(v)));
        image = spec.image() == null ? null : sub.apply(spec.image());
      } catch (Substitution.MissingValueException e) {
        JobState failed = job.dispatched(attempt, now).ended(JobStatus.FAILED, Map.of(), null, e.getMessage(), null, now);
        state = state.withJob(failed);
        emit(RunEventType.JOB_FAILED, spec.name(), attempt, null, Map.of(), e.getMessage());
        endFailed(spec.name(), e.getMessage());
        return;
      }
      String attemptId = JobState.attemptId(state.runId(), spec.name(), attempt);
      JobDispatch dispatch = JobDispatch.newBuilder()
          .setEventId(attemptId)
          .setRunId(state.runId())
          .setOccurredAt(now)
          .setAction(DispatchAction.START)
          .setTemplate(state.template())
          .setTemplateVersion(state.templateVersion())
          .setJob(spec.name())
          .setAttempt(attempt)
          .setAttemptId(attemptId)
          .setCommand(command)
          .setImage(image)
          .setEnv(env)
          .setTimeoutMs(null)
          .build();
      state = state.withJob(job.dispatched(attempt, now));
      commands.add(new DispatchJob(dispatch));
      emit(RunEventType.JOB_DISPATCHED, spec.name(), attempt, null, Map.of(), String.join(" ", command));
    }

    void succeed(JobState job, JobCompletion c) {
      JobSpec spec = template.job(job.name()).orElseThrow();
      Map<String, String> outputs = c.getOutputs();
      for (String declared : spec.outputs()) {
        if (!outputs.containsKey(declared)) {
          fail(job, c, "exited 0 but did not write its declared output '" + declared + "' to $BATON_OUTPUTS");
          return;
        }
      }
      state = state.withJob(job.ended(JobStatus.SUCCEEDED, outputs, c.getExitCode(), null, c.getStartedAt(), endTime(c)));
      emit(RunEventType.JOB_SUCCEEDED, job.name(), job.attempt(), c.getExitCode(), outputs, null);
    }

    void fail(JobState job, JobCompletion c, String why) {
      state = state.withJob(job.ended(JobStatus.FAILED, c.getOutputs(), c.getExitCode(), why, c.getStartedAt(), endTime(c)));
      emit(RunEventType.JOB_FAILED, job.name(), job.attempt(), c.getExitCode(), Map.of(), why);
      endFailed(job.name(), why);
    }

    private void endFailed(String jobName, String why) {
      String detail = "job '" + jobName + "' " + why;
      state = state.ended(RunStatus.FAILED, now, detail);
      emit(RunEventType.RUN_FAILED, null, null, null, Map.of(), detail);
    }

    void cancel(String reason) {
      for (JobState job : state.jobs().values()) {
        if (job.status() == JobStatus.RUNNING) {
          commands.add(new DispatchJob(stop(job)));
          state = state.withJob(job.ended(JobStatus.CANCELLED, Map.of(), null, "cancelled", job.startedAt(), now));
        }
      }
      String detail = reason == null || reason.isBlank() ? "cancelled" : "cancelled: " + reason;
      state = state.ended(RunStatus.CANCELLED, now, detail);
      emit(RunEventType.RUN_CANCELLED, null, null, null, Map.of(), detail);
    }

    private JobDispatch stop(JobState job) {
      String attemptId = JobState.attemptId(state.runId(), job.name(), job.attempt());
      return JobDispatch.newBuilder()
          .setEventId(attemptId + "/stop")
          .setRunId(state.runId())
          .setOccurredAt(now)
          .setAction(DispatchAction.STOP)
          .setTemplate(state.template())
          .setTemplateVersion(state.templateVersion())
          .setJob(job.name())
          .setAttempt(job.attempt())
          .setAttemptId(attemptId)
          .build();
    }

    private Instant endTime(JobCompletion c) {
      return c.getEndedAt() != null ? c.getEndedAt() : now;
    }

    void emit(RunEventType type, String job, Integer attempt, Integer exitCode, Map<String, String> outputs, String detail) {
      commands.add(new EmitRunEvent(RunEvents.of(state, type, job, attempt, exitCode, outputs, detail, now)));
    }
  }
}
