package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.dispatcher.JobRuntime;
import dev.baton.dispatcher.local.LocalProcessRuntime;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.serde.Wire;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A runtime whose start throws does not lose the attempt: it is started on redelivery, or reported FAILED. */
class DispatchStartFailuresIT {
  /** Throws on the first start of each attempt whose run id starts with "flaky", always for "broken". */
  static final class FailingStarts implements JobRuntime {
    final JobRuntime inner;
    final Set<String> failedOnce = ConcurrentHashMap.newKeySet();

    FailingStarts(JobRuntime inner) {
      this.inner = inner;
    }

    @Override
    public boolean start(JobDispatch dispatch, Consumer<JobCompletion> onEnd) {
      if (dispatch.getRunId().startsWith("broken")) {
        throw new IllegalStateException("the API server refused the pod (422)");
      }
      if (dispatch.getRunId().startsWith("flaky") && failedOnce.add(dispatch.getAttemptId())) {
        throw new IllegalStateException("the API server answered 500");
      }
      return inner.start(dispatch, onEnd);
    }

    @Override
    public void stop(String attemptId) {
      inner.stop(attemptId);
    }

    @Override
    public int running() {
      return inner.running();
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  static BatonHarness baton;
  static FailingStarts runtime;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    runtime = new FailingStarts(new LocalProcessRuntime(work.resolve("jobs"), 4096));
    baton = new BatonHarness("startfail", work, Path.of("../templates"), 4, runtime, Wire.json());
  }

  @AfterAll
  static void stop() throws Exception {
    baton.close();
  }

  @Test
  void startThatThrowsOnceRunsTheJobOnRedelivery() throws Exception {
    baton.trigger("flaky-1", "pipeline", Map.of("source", "s3://x"));
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("flaky-1").status());
    assertEquals(3, runtime.failedOnce.size(), "each of the three jobs failed to start once: " + runtime.failedOnce);
    assertTrue(runtime.failedOnce.stream().allMatch(id -> id.endsWith("/1")), "and ran as its first attempt: " + runtime.failedOnce);
  }

  @Test
  void startThatAlwaysThrowsIsReportedFailedWithTheRuntimesError() throws Exception {
    baton.trigger("broken-1", "hello", Map.of());
    var end = baton.awaitEnd("broken-1");
    assertEquals(RunStatus.FAILED, end.status());
    String error = end.jobs().values().iterator().next().error();
    assertTrue(error != null && error.contains("could not start the job after 3 tries") && error.contains("422"), error);
  }
}
