package dev.baton.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class RunFollowerTest {
  static RunEvent event(RunEventType type, String job, Integer attempt, Map<String, String> out) {
    return RunEvent.newBuilder()
        .setEventId(type + "/" + job)
        .setRunId("r1")
        .setOccurredAt(Instant.now())
        .setType(type)
        .setJob(job)
        .setAttempt(attempt)
        .setOutputs(out)
        .setDetail(type == RunEventType.RUN_FAILED ? "job 'b' exited 3" : null)
        .build();
  }

  @Test
  void aSucceededRunHasTheTemplatesOutputsAndEachJobsUnderItsName() throws Exception {
    RunFollower f = new RunFollower("r1");
    assertFalse(f.accept(event(RunEventType.JOB_SUCCEEDED, "a", 1, Map.of("x", "1"))));
    assertTrue(f.accept(event(RunEventType.RUN_SUCCEEDED, null, null, Map.of("total", "9"))));
    RunResult r = f.result.get();
    assertEquals(RunResult.Status.SUCCEEDED, r.status());
    assertEquals(Map.of("a.x", "1", "total", "9"), r.outputs());
    assertNull(r.failedJob());
  }

  /** An awaiting thread woken by the result finds the run no longer followed (ClientIT counts). */
  @Test
  void theEndIsToldBeforeTheResultCompletes() {
    for (RunEventType end :
        List.of(
            RunEventType.RUN_SUCCEEDED,
            RunEventType.RUN_FAILED,
            RunEventType.RUN_CANCELLED,
            RunEventType.REJECTED)) {
      RunFollower f = new RunFollower("r1");
      List<Boolean> doneWhenTold = new ArrayList<>();
      f.onEnd(() -> doneWhenTold.add(f.result.isDone()));
      f.accept(event(end, null, null, Map.of()));
      assertEquals(List.of(false), doneWhenTold, end.toString());
      assertTrue(f.result.isDone(), end.toString());
    }
  }

  @Test
  void aFailedRunNamesTheJobThatFailedAndWhy() throws Exception {
    RunFollower f = new RunFollower("r1");
    f.accept(event(RunEventType.JOB_DISPATCHED, "b", 2, Map.of()));
    assertEquals(2, f.attempt("b"));
    f.accept(event(RunEventType.JOB_FAILED, "b", 2, Map.of()));
    f.accept(event(RunEventType.RUN_FAILED, null, null, Map.of()));
    RunResult r = f.result.get();
    assertEquals(RunResult.Status.FAILED, r.status());
    assertEquals("b", r.failedJob());
    assertEquals("job 'b' exited 3", r.reason());
  }

  @Test
  void aStartThatNamedARunThatEndedGetsThatRunsResultAndOneThatGoesOnWaits() throws Exception {
    RunFollower f = new RunFollower("r1");
    RunEvent running = event(RunEventType.TRIGGER_REPEATED, null, null, Map.of());
    running.setRunStatus("RUNNING");
    assertFalse(f.accept(running), "the run goes on: its end is still to come");
    assertFalse(f.result.isDone());
    RunEvent ended =
        event(RunEventType.TRIGGER_REPEATED, null, null, Map.of("total", "9", "a.x", "1"));
    ended.setRunStatus("SUCCEEDED");
    assertTrue(f.accept(ended));
    assertEquals(Map.of("a.x", "1", "total", "9"), f.result.get().outputs());

    RunFollower g = new RunFollower("r1");
    RunEvent failed = event(RunEventType.TRIGGER_REPEATED, "b", null, Map.of());
    failed.setRunStatus("FAILED");
    failed.setDetail("job 'b' exited 3");
    assertTrue(g.accept(failed));
    assertEquals(RunResult.Status.FAILED, g.result.get().status());
    assertEquals("b", g.result.get().failedJob());
    assertEquals("job 'b' exited 3", g.result.get().reason());
  }

  @Test
  void aRefusedRunIsAnErrorNamingWhy() {
    RunFollower f = new RunFollower("r1");
    RunEvent refused = event(RunEventType.REJECTED, null, null, Map.of());
    refused.setDetail("unknown template 'nope'");
    assertTrue(f.accept(refused));
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f.result::get);
    assertTrue(e.getCause().getMessage().contains("unknown template 'nope'"));
  }

  @Test
  void whatARunKeepsIsBounded() {
    RunFollower f = new RunFollower("r1");
    String big = "x".repeat(300_000);
    for (int i = 0; i < RunFollower.MAX_EVENTS + 50; i++) {
      f.accept(event(RunEventType.JOB_SUCCEEDED, "j" + i, 1, Map.of("v", big)));
    }
    assertEquals(RunFollower.MAX_EVENTS, f.events().size(), "the oldest events go");
    f.accept(event(RunEventType.RUN_SUCCEEDED, null, null, Map.of()));
    int chars =
        f.result.join().outputs().entrySet().stream()
            .mapToInt(e -> e.getKey().length() + e.getValue().length())
            .sum();
    assertTrue(chars <= RunFollower.MAX_OUTPUT_CHARS, "outputs kept: " + chars);
    List<RunEvent> seen = new ArrayList<>();
    f.listen(seen::add);
    assertEquals(RunFollower.MAX_EVENTS, seen.size(), "a listener first gets what was kept");
  }
}
