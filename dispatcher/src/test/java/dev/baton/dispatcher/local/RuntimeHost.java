package dev.baton.dispatcher.local;

import dev.baton.events.JobDispatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A process that runs one local job ({@code sleep 120}) and prints its pid, then waits: {@link
 * LocalJobsDieWithTheirHostIT} kills it with SIGKILL.
 */
public final class RuntimeHost {
  private RuntimeHost() {}

  public static void main(String[] args) throws Exception {
    LocalProcessRuntime runtime = new LocalProcessRuntime(Path.of(args[0]), 512);
    runtime.start(
        JobDispatch.newBuilder()
            .setEventId("host/sleep/1")
            .setRunId("host")
            .setOccurredAt(Instant.EPOCH)
            .setTemplate("t")
            .setTemplateVersion(1)
            .setJob("sleep")
            .setAttempt(1)
            .setAttemptId("host/sleep/1")
            .setCommand(List.of("sleep", "120"))
            .setEnv(Map.of())
            .build(),
        c -> {});
    Path guarded = Path.of(args[0], "running.pids");
    // The job is reported once the guardian's list names it: a kill before that would orphan it.
    while (!runtime.pids().containsKey("host/sleep/1")
        || !Files.exists(guarded)
        || !Files.readAllLines(guarded)
            .contains(String.valueOf(runtime.pids().get("host/sleep/1")))) {
      Thread.sleep(20);
    }
    System.out.println("job " + runtime.pids().get("host/sleep/1"));
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
