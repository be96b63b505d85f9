package dev.baton.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class RuntimeRouterTest {
  /** Records what it is asked to do. */
  static final class Recording implements JobRuntime {
    final List<String> started = new ArrayList<>();
    final List<String> stopped = new ArrayList<>();

    @Override
    public boolean start(JobDispatch dispatch, Consumer<JobCompletion> onEnd) {
      started.add(dispatch.getAttemptId());
      return true;
    }

    @Override
    public void stop(String attemptId) {
      stopped.add(attemptId);
    }

    @Override
    public int running() {
      return started.size();
    }

    @Override
    public void close() {}
  }

  static JobDispatch dispatch(String id, String runtime) {
    return JobDispatch.newBuilder()
        .setEventId(id)
        .setRunId("r")
        .setOccurredAt(Instant.EPOCH)
        .setTemplate("t")
        .setTemplateVersion(1)
        .setJob("j")
        .setAttempt(1)
        .setAttemptId(id)
        .setRuntime(runtime)
        .build();
  }

  @Test
  void jobsChooseTheirRuntimeAndTheRestGetTheDefault() {
    Recording local = new Recording();
    Recording kube = new Recording();
    RuntimeRouter router =
        new RuntimeRouter(Map.of("local", local, "kubernetes", kube), "kubernetes");
    router.start(dispatch("a", null), c -> {});
    router.start(dispatch("b", "local"), c -> {});
    assertEquals(List.of("a"), kube.started);
    assertEquals(List.of("b"), local.started);
    assertEquals(2, router.running());
    router.stop("a");
    assertEquals(List.of("a"), kube.stopped);
    assertEquals(List.of("a"), local.stopped);
  }

  @Test
  void runtimeThisDispatcherLacksFailsTheAttemptWithAReason() {
    RuntimeRouter router = new RuntimeRouter(Map.of("local", new Recording()), "local");
    List<JobCompletion> ended = new ArrayList<>();
    assertTrue(router.start(dispatch("a", "kubernetes"), ended::add));
    assertEquals(CompletionStatus.FAILED, ended.get(0).getStatus());
    assertTrue(
        ended.get(0).getErrorTail().contains("no 'kubernetes' runtime"),
        ended.get(0).getErrorTail());
  }

  @Test
  void unknownDefaultIsAConfigurationError() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new RuntimeRouter(Map.of("local", new Recording()), "nomad"));
  }
}
