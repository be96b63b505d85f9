package dev.baton.dispatcher.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real child processes: argv without a shell, environment, outputs, tails, stop and timeout. */
class LocalProcessRuntimeTest {
  @TempDir Path work;
  LocalProcessRuntime runtime;

  @BeforeEach
  void start() {
    runtime = new LocalProcessRuntime(work, 512);
  }

  @AfterEach
  void stop() {
    runtime.close();
  }

  static JobDispatch dispatch(
      String job, List<String> argv, Map<String, String> env, Long timeoutMs) {
    return JobDispatch.newBuilder()
        .setEventId("r1/" + job + "/1")
        .setRunId("r1")
        .setOccurredAt(Instant.EPOCH)
        .setTemplate("t")
        .setTemplateVersion(1)
        .setJob(job)
        .setAttempt(1)
        .setAttemptId("r1/" + job + "/1")
        .setCommand(argv)
        .setEnv(env)
        .setTimeoutMs(timeoutMs)
        .build();
  }

  JobCompletion run(JobDispatch d) throws Exception {
    CompletableFuture<JobCompletion> done = new CompletableFuture<>();
    assertTrue(runtime.start(d, done::complete));
    return done.get(30, TimeUnit.SECONDS);
  }

  @Test
  void argvIsNotInterpretedByAShell() throws Exception {
    JobCompletion c =
        run(dispatch("echo", List.of("echo", "$(touch pwned); `id`", "a;b"), Map.of(), null));
    assertEquals(CompletionStatus.SUCCEEDED, c.getStatus());
    assertEquals("$(touch pwned); `id` a;b\n", c.getOutputTail());
  }

  @Test
  void jobSeesParamsAndCoordinatesAndWritesOutputs() throws Exception {
    JobCompletion c =
        run(
            dispatch(
                "env",
                List.of(
                    "sh",
                    "-c",
                    "printf 'greeting=%s\\nwho=%s\\n' \"$GREETING\" \"$BATON_ATTEMPT_ID\" > \"$BATON_OUTPUTS\""),
                Map.of("GREETING", "hi there"),
                null));
    assertEquals(CompletionStatus.SUCCEEDED, c.getStatus());
    assertEquals(Map.of("greeting", "hi there", "who", "r1/env/1"), c.getOutputs());
    assertEquals("r1/env/1", c.getEventId());
  }

  @Test
  void outputsMayBeAJsonObject() throws Exception {
    JobCompletion c =
        run(
            dispatch(
                "json",
                List.of("sh", "-c", "echo '{\"n\": 3, \"ok\": true}' > \"$BATON_OUTPUTS\""),
                Map.of(),
                null));
    assertEquals(Map.of("n", "3", "ok", "true"), c.getOutputs());
  }

  @Test
  void failureReportsExitCodeAndBoundedStderrTail() throws Exception {
    JobCompletion c =
        run(
            dispatch(
                "fail",
                List.of(
                    "sh",
                    "-c",
                    "i=0; while [ $i -lt 200 ]; do echo line-$i >&2; i=$((i+1)); done; exit 7"),
                Map.of(),
                null));
    assertEquals(CompletionStatus.FAILED, c.getStatus());
    assertEquals(7, c.getExitCode());
    assertTrue(c.getErrorTail().endsWith("line-199\n"), c.getErrorTail());
    assertTrue(c.getErrorTail().length() <= 513, "tail is bounded: " + c.getErrorTail().length());
    assertFalse(c.getErrorTail().contains("line-0\n"));
  }

  @Test
  void missingExecutableFailsWithAClearError() throws Exception {
    JobCompletion c = run(dispatch("missing", List.of("no-such-program-xyz"), Map.of(), null));
    assertEquals(CompletionStatus.FAILED, c.getStatus());
    assertNull(c.getExitCode());
    assertTrue(c.getErrorTail().contains("cannot start no-such-program-xyz"), c.getErrorTail());
  }

  @Test
  void stopKillsTheProcessAndReportsStopped() throws Exception {
    CompletableFuture<JobCompletion> done = new CompletableFuture<>();
    runtime.start(dispatch("sleep", List.of("sleep", "60"), Map.of(), null), done::complete);
    await().atMost(Duration.ofSeconds(10)).until(() -> runtime.pids().containsKey("r1/sleep/1"));
    long pid = runtime.pids().get("r1/sleep/1");
    runtime.stop("r1/sleep/1");
    assertEquals(CompletionStatus.STOPPED, done.get(15, TimeUnit.SECONDS).getStatus());
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
  }

  @Test
  void aStopThatArrivesBeforeTheProcessStartsMeansItNeverStarts() throws Exception {
    java.util.concurrent.CountDownLatch stopSent = new java.util.concurrent.CountDownLatch(1);
    runtime.beforeProcessStart =
        () -> {
          try {
            stopSent.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    Path marker = work.resolve("ran");
    CompletableFuture<JobCompletion> done = new CompletableFuture<>();
    runtime.start(
        dispatch(
            "late",
            List.of("sh", "-c", "touch \"$0\"; sleep 60", marker.toString()),
            Map.of(),
            null),
        done::complete);
    runtime.stop("r1/late/1");
    stopSent.countDown();
    assertEquals(CompletionStatus.STOPPED, done.get(5, TimeUnit.SECONDS).getStatus());
    assertFalse(java.nio.file.Files.exists(marker), "the job never ran");
  }

  @Test
  void attemptsWhoseIdsDifferOnlyInCharactersAFileNameCannotHoldGetDirectoriesOfTheirOwn() {
    assertFalse(JobProcess.directoryName("r:1/a/1").equals(JobProcess.directoryName("r_1/a/1")));
    assertTrue(JobProcess.directoryName("x".repeat(500) + "/a/1").length() < 120);
  }

  @Test
  void timeoutKillsTheProcessAndReportsTimedOut() throws Exception {
    JobCompletion c = run(dispatch("slow", List.of("sleep", "60"), Map.of(), 300L));
    assertEquals(CompletionStatus.TIMED_OUT, c.getStatus());
  }

  @Test
  void repeatedDispatchOfARunningAttemptIsIgnored() {
    JobDispatch d = dispatch("sleep2", List.of("sleep", "60"), Map.of(), null);
    assertTrue(runtime.start(d, c -> {}));
    assertFalse(runtime.start(d, c -> {}));
    assertEquals(1, runtime.running());
  }

  @Test
  void keyValueOutputsSkipCommentsAndRejectGarbage() {
    assertEquals(Map.of("a", "1", "b", "x=y"), OutputsFile.parse("# comment\na=1\n\nb=x=y\n"));
    try {
      OutputsFile.parse("a=1\nnot a pair\n");
      throw new AssertionError("expected a parse error");
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }
  }
}
