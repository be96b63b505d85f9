package dev.baton.engine.decide;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.ParentRun;
import dev.baton.events.RunEventType;
import dev.baton.events.WorkflowTrigger;
import dev.baton.template.ArtifactSpec;
import dev.baton.template.JobSpec;
import dev.baton.template.RunSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sub-workflows: an attempt of a job with {@code run} starts a child run of another template, whose
 * id derives from the attempt ({@link #runId}); the attempt is RUNNING until the child reports how
 * it ended, as a completion of the attempt: succeeded with the child template's outputs, or failed.
 * A retry starts a new child; stopping the attempt (cancel, timeout, a failed sibling) cancels its
 * child. Runs nest at most {@link RunSpec#MAX_DEPTH} levels.
 */
public final class Children {
  private Children() {}

  /** Most characters of a readable child run id; a longer one is hashed. */
  private static final int MAX_RUN_ID_CHARS = 200;

  /**
   * The child run of an attempt: {@code <parent run>:<job>[.<item>].<attempt>}, or {@code
   * child-<hash>} when that would be longer than a run id may be.
   */
  public static String runId(String parentRunId, String job, Integer item, int attempt) {
    String id = parentRunId + ":" + job + (item == null ? "" : "." + item) + "." + attempt;
    if (id.length() <= MAX_RUN_ID_CHARS) {
      return id;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  JobState.attemptId(parentRunId, job, item, attempt)
                      .getBytes(StandardCharsets.UTF_8));
      return "child-" + HexFormat.of().formatHex(digest).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final Pattern PARENT_OF =
      Pattern.compile("(.+):[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[0-9]+)?\\.[0-9]+");

  /** The parent's run id in a child's ({@code <parent>:<job>...}); empty for other ids. */
  public static Optional<String> parentId(String runId) {
    Matcher m = runId == null ? null : PARENT_OF.matcher(runId);
    return m != null && m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static final Pattern CHILD_ID =
      Pattern.compile(
          ".+:[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[0-9]+)?\\.[0-9]+|child-[0-9a-f]{32}");

  /**
   * Whether {@code runId} has the form of a child run's id ({@link #runId}): such ids are reserved
   * for the runs that {@code run:} jobs start, so that no one can take a child's id before its
   * parent starts it.
   */
  public static boolean isChildId(String runId) {
    return runId != null && CHILD_ID.matcher(runId).matches();
  }

  /** Why a trigger without a parent cannot have {@code runId}; null when it can. */
  public static String reservedIdRefused(String runId) {
    return isChildId(runId)
        ? "run id '"
            + runId
            + "' has the form of a child run's (<run>:<job>.<attempt>, or child-<hash>); such ids"
            + " are reserved for the runs that run: jobs start"
        : null;
  }

  /**
   * Starts attempt {@code attempt}'s child. Returns false if it cannot be (the run fails). The
   * attempt is started once the child run exists ({@link #created}): until then it is bounded by
   * the job's start timeout, like a dispatch no dispatcher took.
   */
  static boolean start(Step s, JobSpec spec, JobState job, int attempt) {
    WorkflowTrigger trigger = trigger(s, spec, null, null, attempt);
    if (trigger == null) {
      return false;
    }
    s.put(job.dispatched(attempt, s.now));
    started(s, spec, null, attempt, trigger);
    return true;
  }

  /** Starts the child of a fan-out instance's attempt. */
  static void startItem(Step s, JobSpec spec, ItemState item, int attempt) {
    WorkflowTrigger trigger = trigger(s, spec, item.value(), item.index(), attempt);
    if (trigger != null) {
      s.put(item.dispatched(attempt));
      started(s, spec, item.index(), attempt, trigger);
    }
  }

  /** A child run exists now: its parent's attempt hears that it started. */
  static EngineCommand created(RunState.Parent parent, String childRunId, Instant now) {
    return new EngineCommand.ReportToParent(
        completion(parent, childRunId, CompletionStatus.STARTED, Map.of(), null, now));
  }

  private static WorkflowTrigger trigger(
      Step s, JobSpec spec, String itemValue, Integer item, int attempt) {
    RunSpec run = spec.run();
    int depth = s.state.depth() + 1;
    if (depth > RunSpec.MAX_DEPTH) {
      Dispatches.unresolved(
          s,
          spec,
          "would start a run of '"
              + run.template()
              + "' "
              + depth
              + " levels deep; runs nest at most "
              + RunSpec.MAX_DEPTH
              + " (does a template run itself?)");
      return null;
    }
    Substitution sub = new Substitution(s.state, itemValue);
    Map<String, String> params = new LinkedHashMap<>();
    try {
      run.params().forEach((name, value) -> params.put(name, sub.apply(value)));
    } catch (Substitution.MissingValueException e) {
      Dispatches.unresolved(s, spec, "run.params " + e.getMessage());
      return null;
    }
    String child = runId(s.state.runId(), spec.name(), item, attempt);
    return WorkflowTrigger.newBuilder()
        .setEventId(child + "/start")
        .setRunId(child)
        .setOccurredAt(s.now)
        .setTemplate(run.template())
        .setParams(params)
        .setTenant(s.state.tenantName())
        .setPriority(s.state.priority())
        .setParent(
            ParentRun.newBuilder()
                .setRunId(s.state.runId())
                .setJob(spec.name())
                .setItem(item)
                .setAttempt(attempt)
                .setDepth(depth)
                .build())
        .build();
  }

  private static void started(
      Step s, JobSpec spec, Integer item, int attempt, WorkflowTrigger trigger) {
    s.add(new EngineCommand.StartChild(trigger));
    s.emit(
        RunEventType.JOB_DISPATCHED,
        spec.name(),
        item,
        attempt,
        null,
        Map.of(),
        "child run " + trigger.getRunId() + " of " + trigger.getTemplate());
    Dispatches.timeoutIn(s, spec.name(), item, attempt, spec.startTimeout());
  }

  /** The attempt stopped: its child is cancelled. */
  static void stop(Step s, String job, Integer item, int attempt) {
    s.add(
        new EngineCommand.CancelRun(
            runId(s.state.runId(), job, item, attempt),
            "its parent run " + s.state.runId() + " stopped job " + job));
    Dispatches.cancelTimeout(s, job, item, attempt);
  }

  /**
   * A child run ended: its parent's attempt gets a completion, with the template's outputs when it
   * succeeded (an output that cannot be resolved fails the parent's job instead).
   */
  static void reportEnd(Step s, RunStatus outcome, String detail) {
    RunState.Parent parent = s.state.parent();
    if (parent == null) {
      return;
    }
    CompletionStatus status =
        switch (outcome) {
          case SUCCEEDED -> CompletionStatus.SUCCEEDED;
          case CANCELLED -> CompletionStatus.STOPPED;
          default -> CompletionStatus.FAILED;
        };
    Map<String, String> outputs = new LinkedHashMap<>();
    String why =
        "child run " + s.state.runId() + " " + outcome + (detail == null ? "" : ": " + detail);
    if (status == CompletionStatus.SUCCEEDED) {
      Substitution sub = new Substitution(s.state, null);
      try {
        // an output that is one artifact reference passes the file up: artifact NAME of the job
        s.template
            .outputs()
            .forEach(
                (name, value) ->
                    outputs.put(
                        ArtifactSpec.exactly(value).isPresent()
                            ? ArtifactSpec.outputKey(name)
                            : name,
                        sub.apply(value)));
      } catch (Substitution.MissingValueException e) {
        outputs.clear();
        status = CompletionStatus.FAILED;
        why = "child run " + s.state.runId() + " succeeded, but its outputs " + e.getMessage();
      }
    }
    s.add(
        new EngineCommand.ReportToParent(
            completion(parent, s.state.runId(), status, outputs, why, s.now)));
  }

  /**
   * A trigger that starts no child (unknown template, refused parameters): the parent's attempt
   * fails with the reason at once, not at its timeout.
   */
  static EngineCommand refused(ParentRun parent, String childRunId, String reason, Instant now) {
    RunState.Parent p =
        new RunState.Parent(
            parent.getRunId(),
            parent.getJob(),
            parent.getItem(),
            parent.getAttempt(),
            parent.getDepth());
    return new EngineCommand.ReportToParent(
        completion(
            p,
            childRunId,
            CompletionStatus.FAILED,
            Map.of(),
            "child run " + childRunId + " did not start: " + reason,
            now));
  }

  /** Most characters of a child's detail its parent repeats: nested failures do not pile up. */
  static final int MAX_DETAIL_CHARS = 400;

  private static String shortened(String detail) {
    return detail.length() <= MAX_DETAIL_CHARS
        ? detail
        : detail.substring(0, MAX_DETAIL_CHARS) + "… (the rest in the child run)";
  }

  private static JobCompletion completion(
      RunState.Parent parent,
      String childRunId,
      CompletionStatus status,
      Map<String, String> outputs,
      String why,
      Instant now) {
    return JobCompletion.newBuilder()
        .setEventId(
            status == CompletionStatus.STARTED
                ? parent.attemptId() + "/started"
                : parent.attemptId())
        .setRunId(parent.runId())
        .setOccurredAt(now)
        .setJob(parent.job())
        .setItem(parent.item())
        .setAttempt(parent.attempt())
        .setStatus(status)
        .setOutputs(outputs)
        .setErrorTail(status == CompletionStatus.SUCCEEDED ? null : why)
        .setStartedAt(status == CompletionStatus.STARTED ? now : null)
        .setEndedAt(status == CompletionStatus.STARTED ? null : now)
        .setReporter("run " + childRunId)
        .build();
  }
}
