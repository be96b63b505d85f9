package dev.baton.engine.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.EngineCommand.DispatchJob;
import dev.baton.engine.decide.EngineCommand.EmitRunEvent;
import dev.baton.engine.decide.EngineCommand.Ignore;
import dev.baton.engine.decide.EngineCommand.Reject;
import dev.baton.events.CompletionStatus;
import dev.baton.events.DispatchAction;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.events.WorkflowTrigger;
import dev.baton.template.Template;
import dev.baton.template.Templates;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeciderTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Template PIPELINE =
      template(
          """
      name: etl
      version: 3
      params:
        source: {required: true}
        factor: {default: "2"}
      jobs:
        - name: extract
          command: [extract, "${params.source}"]
          outputs: [records]
        - name: transform
          command: [transform]
          env: {RECORDS: "${jobs.extract.outputs.records}", FACTOR: "${params.factor}"}
          outputs: [rows]
        - name: load
          command: [load, "${jobs.transform.outputs.rows}", "${run.id}"]
      """);

  static Template template(String yaml) {
    try {
      return Templates.parse("test.yaml", yaml);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static EngineEvent trigger(String runId, Map<String, String> params) {
    return new EngineEvent.TriggerReceived(
        runId, WorkflowTrigger.newBuilder().setTemplate("etl").setParams(params).build());
  }

  static EngineEvent completion(
      String runId,
      String job,
      int attempt,
      CompletionStatus status,
      Integer exit,
      Map<String, String> outputs,
      String stderr) {
    return new EngineEvent.JobCompleted(
        runId,
        JobCompletion.newBuilder()
            .setRunId(runId)
            .setJob(job)
            .setAttempt(attempt)
            .setStatus(status)
            .setExitCode(exit)
            .setOutputs(outputs)
            .setErrorTail(stderr)
            .build());
  }

  static EngineEvent succeeded(String runId, String job, Map<String, String> outputs) {
    return completion(runId, job, 1, CompletionStatus.SUCCEEDED, 0, outputs, null);
  }

  static List<JobDispatch> dispatches(Decision d) {
    return d.commands().stream()
        .filter(c -> c instanceof DispatchJob)
        .map(c -> ((DispatchJob) c).dispatch())
        .toList();
  }

  static List<RunEventType> eventTypes(Decision d) {
    return d.commands().stream()
        .filter(c -> c instanceof EmitRunEvent)
        .map(c -> ((EmitRunEvent) c).event().getType())
        .toList();
  }

  static Decision started() {
    return Sim.decide(null, trigger("r1", Map.of("source", "s3://in")), PIPELINE, T0);
  }

  @Test
  void triggerStartsRunAndDispatchesFirstJobOnly() {
    Decision d = started();
    assertEquals(RunStatus.RUNNING, d.state().status());
    assertEquals(List.of(RunEventType.RUN_STARTED, RunEventType.JOB_DISPATCHED), eventTypes(d));
    JobDispatch first = dispatches(d).get(0);
    assertEquals(1, dispatches(d).size());
    assertEquals("r1/extract/1", first.getAttemptId());
    assertEquals("r1/extract/1", first.getEventId());
    assertEquals(List.of("extract", "s3://in"), first.getCommand());
    assertEquals(Map.of("source", "s3://in", "factor", "2"), first.getEnv());
    assertEquals(3, first.getTemplateVersion());
    assertEquals(JobStatus.RUNNING, d.state().job("extract").status());
    assertEquals(JobStatus.PENDING, d.state().job("transform").status());
  }

  @Test
  void completionDispatchesNextJobWithPreviousOutputs() {
    Decision d1 = started();
    Decision d2 =
        Sim.decide(
            d1.state(),
            succeeded("r1", "extract", Map.of("records", "21")),
            PIPELINE,
            T0.plusSeconds(1));
    JobDispatch next = dispatches(d2).get(0);
    assertEquals("transform", next.getJob());
    assertEquals("21", next.getEnv().get("RECORDS"));
    assertEquals("2", next.getEnv().get("FACTOR"));
    assertEquals(List.of(RunEventType.JOB_SUCCEEDED, RunEventType.JOB_DISPATCHED), eventTypes(d2));
    assertEquals(Map.of("records", "21"), d2.state().job("extract").outputs());
  }

  @Test
  void lastJobSucceedingEndsRunSucceeded() {
    RunState s = started().state();
    s = Sim.decide(s, succeeded("r1", "extract", Map.of("records", "21")), PIPELINE, T0).state();
    Decision d = Sim.decide(s, succeeded("r1", "transform", Map.of("rows", "42")), PIPELINE, T0);
    assertEquals(List.of("load", "42", "r1"), dispatches(d).get(0).getCommand());
    Decision end =
        Sim.decide(d.state(), succeeded("r1", "load", Map.of()), PIPELINE, T0.plusSeconds(5));
    assertEquals(RunStatus.SUCCEEDED, end.state().status());
    assertEquals(T0.plusSeconds(5), end.state().endedAt());
    assertEquals(List.of(RunEventType.JOB_SUCCEEDED, RunEventType.RUN_SUCCEEDED), eventTypes(end));
    assertTrue(dispatches(end).isEmpty());
  }

  @Test
  void runSucceededCarriesTheTemplatesOutputsThatHaveValues() {
    Template counted =
        template(
            """
            name: etl
            version: 1
            jobs:
              - {name: count, command: [count], outputs: [n]}
              - {name: maybe, command: [maybe], when: "1 == 2", outputs: [m]}
            outputs: {total: "${jobs.count.outputs.n}", skipped: "${jobs.maybe.outputs.m}"}
            """);
    RunState s = Sim.decide(null, trigger("r1", Map.of()), counted, T0).state();
    Decision end = Sim.decide(s, succeeded("r1", "count", Map.of("n", "7")), counted, T0);
    assertEquals(RunStatus.SUCCEEDED, end.state().status());
    RunEvent ended =
        end.commands().stream()
            .filter(c -> c instanceof EmitRunEvent)
            .map(c -> ((EmitRunEvent) c).event())
            .filter(e -> e.getType() == RunEventType.RUN_SUCCEEDED)
            .findFirst()
            .orElseThrow();
    assertEquals(Map.of("total", "7"), ended.getOutputs(), "a skipped job's output is left out");
  }

  @Test
  void failedJobFailsRunWithExitCodeAndStderrTail() {
    Decision d =
        Sim.decide(
            started().state(),
            completion("r1", "extract", 1, CompletionStatus.FAILED, 3, Map.of(), "disk full\n"),
            PIPELINE,
            T0);
    assertEquals(RunStatus.FAILED, d.state().status());
    JobState job = d.state().job("extract");
    assertEquals(JobStatus.FAILED, job.status());
    assertEquals(3, job.exitCode());
    assertTrue(
        job.error().contains("exit code 3") && job.error().contains("disk full"), job.error());
    assertTrue(d.state().detail().contains("extract"), d.state().detail());
    assertEquals(List.of(RunEventType.JOB_FAILED, RunEventType.RUN_FAILED), eventTypes(d));
    assertTrue(dispatches(d).isEmpty());
    assertEquals(JobStatus.PENDING, d.state().job("transform").status());
  }

  @Test
  void jobThatDoesNotWriteDeclaredOutputFails() {
    Decision d =
        Sim.decide(
            started().state(), succeeded("r1", "extract", Map.of("other", "1")), PIPELINE, T0);
    assertEquals(RunStatus.FAILED, d.state().status());
    assertTrue(d.state().job("extract").error().contains("declared output 'records'"));
  }

  @Test
  void sameDecisionForSameInputs() {
    assertEquals(started(), started());
  }

  static Stream<Arguments> ignoredCompletions() {
    return Stream.of(
        Arguments.of("a second completion of the same attempt", "extract", 1, true),
        Arguments.of("a completion of an attempt that is not the current one", "extract", 2, false),
        Arguments.of("a completion of a job not dispatched yet", "transform", 1, false));
  }

  @ParameterizedTest(name = "{0} changes nothing")
  @MethodSource("ignoredCompletions")
  void staleOrRepeatedCompletionChangesNothing(
      String what, String job, int attempt, boolean completeFirst) {
    RunState s = started().state();
    if (completeFirst) {
      s = Sim.decide(s, succeeded("r1", "extract", Map.of("records", "1")), PIPELINE, T0).state();
    }
    Decision d =
        Sim.decide(
            s,
            completion(
                "r1", job, attempt, CompletionStatus.SUCCEEDED, 0, Map.of("records", "9"), null),
            PIPELINE,
            T0);
    assertEquals(s, d.state());
    assertEquals(1, d.commands().size());
    assertTrue(d.commands().get(0) instanceof Ignore, d.commands().toString());
  }

  static Stream<Arguments> rejectedInputs() {
    RunState running = started().state();
    return Stream.of(
        Arguments.of(
            null, trigger("r2", Map.of()), PIPELINE, "missing required parameter 'source'"),
        Arguments.of(
            null,
            trigger("r2", Map.of("source", "x", "colour", "red")),
            PIPELINE,
            "unknown parameter 'colour'"),
        Arguments.of(null, trigger("r2", Map.of("source", "x")), null, "unknown template 'etl'"),
        Arguments.of(null, succeeded("ghost", "extract", Map.of()), PIPELINE, "no run 'ghost'"),
        Arguments.of(running, succeeded("r1", "nosuch", Map.of()), PIPELINE, "has no job 'nosuch'"),
        Arguments.of(
            running,
            new EngineEvent.CommandReceived(
                "r1",
                RunCommand.newBuilder().setRunId("r1").setType(RunCommandType.UNKNOWN).build()),
            PIPELINE,
            "not supported"));
  }

  @ParameterizedTest(name = "rejects: {3}")
  @MethodSource("rejectedInputs")
  void invalidInputIsRejectedWithReason(
      RunState state, EngineEvent event, Template template, String reason) {
    Decision d = Sim.decide(state, event, template, T0);
    assertEquals(state, d.state());
    assertEquals(1, d.commands().size());
    Reject reject = (Reject) d.commands().get(0);
    assertTrue(reject.reason().contains(reason), reject.reason());
  }

  @Test
  void secondTriggerForExistingRunIsIgnored() {
    RunState s = started().state();
    Decision d = Sim.decide(s, trigger("r1", Map.of("source", "y")), PIPELINE, T0);
    assertEquals(s, d.state());
    assertTrue(d.commands().get(0) instanceof Ignore);
  }

  @Test
  void cancelStopsRunningAttemptAndEndsRunCancelled() {
    RunState s = started().state();
    Decision d =
        Sim.decide(
            s,
            new EngineEvent.CommandReceived(
                "r1",
                RunCommand.newBuilder()
                    .setRunId("r1")
                    .setType(RunCommandType.CANCEL)
                    .setReason("operator")
                    .build()),
            PIPELINE,
            T0);
    assertEquals(RunStatus.CANCELLED, d.state().status());
    JobDispatch stop = dispatches(d).get(0);
    assertEquals(DispatchAction.STOP, stop.getAction());
    assertEquals("r1/extract/1", stop.getAttemptId());
    assertEquals(JobStatus.CANCELLED, d.state().job("extract").status());
    assertEquals(List.of(RunEventType.JOB_CANCELLED, RunEventType.RUN_CANCELLED), eventTypes(d));
    Decision late =
        Sim.decide(d.state(), succeeded("r1", "extract", Map.of("records", "1")), PIPELINE, T0);
    assertEquals(d.state(), late.state());
    assertTrue(late.commands().get(0) instanceof Ignore);
  }
}
