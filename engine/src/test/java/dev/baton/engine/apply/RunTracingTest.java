package dev.baton.engine.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.engine.decide.Decision;
import dev.baton.engine.decide.EngineCommand;
import dev.baton.engine.decide.EngineEvent;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.template.Template;
import dev.baton.template.Templates;
import dev.baton.tracing.SpanRecord;
import dev.baton.tracing.Spans;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * The span of an attempt a report ends: a process's from its runtime's times, a child run's too.
 */
class RunTracingTest {
  static final String YAML =
      """
      name: parent
      version: 1
      jobs:
        - {name: work, command: ["true"]}
        - name: child
          run: {template: other}
      """;
  static final Instant STARTED = Instant.parse("2026-12-07T10:00:00Z");
  static final Instant ENDED = STARTED.plusMillis(300);
  static final Instant DECIDED = ENDED.plusMillis(80);

  /** The span of {@code job}'s attempt 1 when its SUCCEEDED report is applied at DECIDED. */
  static SpanRecord attemptSpan(String job) throws Exception {
    Template template = Templates.parse("parent.yaml", YAML);
    JobCompletion report =
        JobCompletion.newBuilder()
            .setRunId("r")
            .setJob(job)
            .setAttempt(1)
            .setStatus(CompletionStatus.SUCCEEDED)
            .setStartedAt(STARTED)
            .setEndedAt(ENDED)
            .build();
    RunEvent succeeded =
        RunEvent.newBuilder()
            .setEventId("r/" + job + "/1/succeeded")
            .setRunId("r")
            .setOccurredAt(ENDED)
            .setType(RunEventType.JOB_SUCCEEDED)
            .setJob(job)
            .setAttempt(1)
            .build();
    RunApplier.Input in =
        new RunApplier.Input(
            new InputRecord(
                "r", null, ENDED.toEpochMilli(), new RecordHeaders(), "baton.completions", 0, 7),
            new EngineEvent.JobCompleted("r", report),
            "r/" + job + "/1/report",
            null);
    Decision decision =
        new Decision(null, List.of(new EngineCommand.EmitRunEvent(succeeded)), List.of());
    return new RunTracing(Spans.OFF)
        .spans(in, decision, null, template, DECIDED.minusMillis(1), DECIDED).stream()
            .filter(s -> s.name().equals("job " + job + " #1"))
            .findFirst()
            .orElseThrow();
  }

  static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  @Test
  void aProcessesAttemptLastsFromItsStartToItsEndAsItsRuntimeReported() throws Exception {
    SpanRecord work = attemptSpan("work");
    assertEquals(nanos(STARTED), work.startNanos());
    assertEquals(nanos(ENDED), work.endNanos());
  }

  @Test
  void aChildRunsAttemptEndsAtTheDecisionOnItsReportSoItCoversTheChildsSpan() throws Exception {
    // The child's own span ends when its engine decided its end, after the time its report
    // carries: the parent's attempt must not end before it.
    SpanRecord child = attemptSpan("child");
    assertEquals(nanos(STARTED), child.startNanos());
    assertEquals(nanos(DECIDED), child.endNanos());
  }
}
