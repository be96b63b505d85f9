package dev.baton.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.apply.ApplyServices;
import dev.baton.engine.apply.EngineCounters;
import dev.baton.engine.apply.Inbound;
import dev.baton.engine.apply.InputRecord;
import dev.baton.engine.apply.Outbounds;
import dev.baton.engine.apply.RunApplier;
import dev.baton.engine.apply.RunCache;
import dev.baton.engine.apply.RunTracing;
import dev.baton.engine.apply.TemplateLookup;
import dev.baton.engine.decide.EngineEvent;
import dev.baton.engine.decide.JobStatus;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.events.WorkflowTrigger;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import dev.baton.template.ParsedTemplates;
import dev.baton.template.StoredTemplate;
import dev.baton.template.Templates;
import dev.baton.tracing.Spans;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A STARTED report whose attempt's end report follows in the same batch is not applied: one save
 * for the step, the same state as applying both. TopologyTestDriver commits after every record, so
 * its batches hold one record each; the rule is driven here on the apply itself, with the in-memory
 * repository the topology tests use.
 */
class FoldedStartsTest {
  static final Topics TOPICS = Topics.defaults();
  static final String YAML =
      """
      name: seq
      version: 1
      jobs:
        - {name: a, command: ["true"], timeout: 1m}
        - {name: b, command: ["true"], timeout: 1m}
      """;

  final InMemoryRunRepository runs = new InMemoryRunRepository();
  final EngineCounters counters = new EngineCounters();
  final Wire wire = Wire.json();
  RunApplier applier;
  long offset;

  @BeforeEach
  void start() throws Exception {
    String stored =
        StoredTemplate.of(Templates.parse("seq.yaml", YAML), YAML, "test", java.time.Instant.EPOCH)
            .toJson();
    applier =
        new RunApplier(
            new ApplyServices(
                runs,
                new Outbounds(TOPICS, wire, AttemptTokens.processDefault()),
                counters,
                null,
                tenant -> 0,
                false,
                new RunTracing(Spans.OFF),
                Needs.NO_ARTIFACTS),
            new TemplateLookup(
                key -> key.startsWith("seq") ? stored : null, new ParsedTemplates(e -> {})),
            new RunCache(100),
            0,
            runs.claimPartition(0));
    List<List<OutboundRecord>> out =
        applier.apply(
            List.of(
                input(
                    new EngineEvent.TriggerReceived(
                        "r1",
                        WorkflowTrigger.newBuilder()
                            .setRunId("r1")
                            .setTemplate("seq")
                            .setOccurredAt(Instant.now())
                            .build()),
                    "trigger:r1")));
    assertEquals(List.of("a"), dispatched(out));
  }

  @Test
  void aStartFollowedByItsEndInTheBatchCostsOneApply() {
    int saves = runs.saves;
    List<List<OutboundRecord>> out =
        applier.apply(List.of(report("a", CompletionStatus.STARTED), ended("a", true)));
    assertEquals(1, counters.folded());
    assertEquals(saves + 1, runs.saves, "one save for the step");
    assertEquals(List.of("b"), dispatched(out));
    var a = runs.states.get("r1").job("a");
    assertEquals(JobStatus.SUCCEEDED, a.status());
    assertNotNull(a.startedAt(), "the end report's start time");
    assertTrue(
        runs.timers.keySet().stream().noneMatch(id -> id.contains("/a/")),
        "no timer of a is left: " + runs.timers.keySet());
  }

  @Test
  void aStartOnItsOwnOrBeforeAnEndWithoutItsStartTimeIsApplied() {
    applier.apply(List.of(report("a", CompletionStatus.STARTED)));
    assertEquals(0, counters.folded());
    assertNotNull(runs.states.get("r1").job("a").startedAt());
    applier.apply(List.of(ended("a", true)));

    int saves = runs.saves;
    applier.apply(List.of(report("b", CompletionStatus.STARTED), ended("b", false)));
    assertEquals(0, counters.folded(), "an end without the start time does not make it moot");
    assertEquals(saves + 2, runs.saves, "both applied, each saved");
    assertEquals(JobStatus.SUCCEEDED, runs.states.get("r1").job("b").status());
  }

  @Test
  void anEndReportWithAWrongTokenFoldsNothing() {
    RunApplier.Input forged =
        new RunApplier.Input(
            ended("a", true).source(), null, null, "completion r1/a/1 has a wrong attempt token");
    applier.apply(List.of(report("a", CompletionStatus.STARTED), forged));
    assertEquals(0, counters.folded());
    assertNotNull(runs.states.get("r1").job("a").startedAt());
    assertEquals(JobStatus.RUNNING, runs.states.get("r1").job("a").status());
  }

  private RunApplier.Input report(String job, CompletionStatus status) {
    Instant now = Instant.now();
    return completion(
        attempt(job, status, now).setStartedAt(now).build(), "r1/" + job + "/1/started");
  }

  private RunApplier.Input ended(String job, boolean withStartTime) {
    Instant now = Instant.now();
    return completion(
        attempt(job, CompletionStatus.SUCCEEDED, now)
            .setExitCode(0)
            .setStartedAt(withStartTime ? now.minusMillis(5) : null)
            .setEndedAt(now)
            .build(),
        "r1/" + job + "/1");
  }

  /** Attempt 1 of {@code job} in run r1, reported at {@code now}. */
  private static JobCompletion.Builder attempt(String job, CompletionStatus status, Instant now) {
    return JobCompletion.newBuilder()
        .setRunId("r1")
        .setJob(job)
        .setAttempt(1)
        .setStatus(status)
        .setOccurredAt(now);
  }

  private RunApplier.Input completion(JobCompletion c, String eventId) {
    return input(new EngineEvent.JobCompleted("r1", c), eventId);
  }

  private RunApplier.Input input(EngineEvent event, String eventId) {
    Inbound.Kind kind =
        event instanceof EngineEvent.TriggerReceived
            ? Inbound.Kind.TRIGGER
            : Inbound.Kind.COMPLETION;
    InputRecord source =
        new InputRecord(
            "r1",
            new Inbound(kind, new byte[0]),
            System.currentTimeMillis(),
            new RecordHeaders(),
            kind == Inbound.Kind.TRIGGER ? TOPICS.triggers() : TOPICS.completions(),
            0,
            offset++);
    return new RunApplier.Input(source, event, eventId, null);
  }

  private List<String> dispatched(List<List<OutboundRecord>> out) {
    List<String> jobs = new ArrayList<>();
    for (List<OutboundRecord> records : out) {
      for (OutboundRecord r : records) {
        if (r.topic().equals(TOPICS.dispatch())) {
          jobs.add(wire.decode(r.value(), JobDispatch.class).getJob());
        }
      }
    }
    return jobs;
  }
}
