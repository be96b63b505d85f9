package dev.baton.dispatcher.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local job does not outlive the process that runs it, even one killed with SIGKILL (a kill -9 of
 * {@code baton dev}). Starts its own JVM: the process under test is the one killed.
 */
class LocalJobsDieWithTheirHostIT {
  @TempDir Path work;

  @Test
  void aJobStopsWhenItsHostIsKilledWithSigkill() throws Exception {
    Process host =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.baton.events",
                    "-cp",
                    System.getProperty("java.class.path"),
                    RuntimeHost.class.getName(),
                    work.toString()))
            .redirectErrorStream(true)
            .start();
    long job;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8))) {
      StringBuilder said = new StringBuilder();
      String line;
      do {
        line = out.readLine();
        said.append(line).append('\n');
      } while (line != null && !line.startsWith("job "));
      assertTrue(line != null, "the host printed its job's pid; it said: " + said);
      job = Long.parseLong(line.substring(4).trim());
      assertTrue(ProcessHandle.of(job).map(ProcessHandle::isAlive).orElse(false));

      host.destroyForcibly(); // SIGKILL: nothing of the host runs any more
      host.waitFor();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> !ProcessHandle.of(job).map(ProcessHandle::isAlive).orElse(false));
    } finally {
      host.destroyForcibly();
    }
  }
}
