package dev.baton.cli.chaos;

import dev.baton.concurrent.DaemonThreads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records of a share of the chaos runs sent as kcat sends them by default (its consistent_random
 * partitioner hashes keys otherwise than Java's): the jobs {@code two} of those runs report their
 * own success with kcat before the dispatcher does, and while they run, pairs of PAUSE and RESUME
 * are sent to them with kcat. A pair goes to one partition in order; one kcat could not deliver is
 * followed by another RESUME the same way, until one is delivered, so no run stays paused.
 */
final class KcatTraffic implements AutoCloseable {
  /** The script job {@code two} runs for a run of the share. */
  static final String REPORTER =
      """
      #!/bin/sh
      # Reports the job's success with kcat's default partitioner (not Java's).
      printf '%s|{"runId":"%s","job":"%s","attempt":%s,"status":"SUCCEEDED","outputs":{},"reporter":"job","token":"%s"}\\n' \\
        "$BATON_RUN_ID" "$BATON_RUN_ID" "$BATON_JOB" "$BATON_ATTEMPT" "$BATON_ATTEMPT_TOKEN" \\
        | kcat -P -b "$kcat" -t baton.completions -K'|' -X message.timeout.ms=5000 >/dev/null 2>&1 || true
      """;

  private final String bootstrap;
  private final String commandsTopic;
  private final Path work;
  private final Deque<String> runs;
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(DaemonThreads.named("chaos-kcat"));
  final AtomicLong pairs = new AtomicLong();
  final AtomicLong failures = new AtomicLong();

  KcatTraffic(String bootstrap, String commandsTopic, Path work, List<String> runs) {
    this.bootstrap = bootstrap;
    this.commandsTopic = commandsTopic;
    this.work = work;
    this.runs = new ArrayDeque<>(runs);
  }

  /** Whether kcat is on PATH. */
  static boolean available() {
    try {
      return new ProcessBuilder("kcat", "-V")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start()
              .waitFor()
          == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Writes the reporter script; returns its path. */
  static Path writeReporter(Path dir) throws IOException {
    Path script = dir.resolve("kcat-report.sh");
    Files.writeString(script, REPORTER, StandardCharsets.UTF_8);
    return script;
  }

  /**
   * Sends a pair to up to {@code n} runs of the share that run now ({@code started}, not {@code
   * ended}); each run gets one pair.
   */
  void tick(int n, Set<String> started, Set<String> ended) {
    sender.execute(
        () -> {
          int sent = 0;
          for (Iterator<String> it = runs.iterator(); it.hasNext() && sent < n; ) {
            String run = it.next();
            if (ended.contains(run)) {
              it.remove(); // ended before its turn
            } else if (started.contains(run)) {
              it.remove();
              pauseAndResume(run);
              sent++;
            }
          }
        });
  }

  private void pauseAndResume(String run) {
    String pause = run + "|{\"runId\":\"" + run + "\",\"type\":\"PAUSE\",\"reason\":\"chaos\"}";
    String resume = run + "|{\"runId\":\"" + run + "\",\"type\":\"RESUME\"}";
    boolean delivered = send(List.of(pause, resume));
    pairs.incrementAndGet();
    while (!delivered && !Thread.currentThread().isInterrupted()) {
      failures.incrementAndGet();
      delivered = send(List.of(resume));
    }
  }

  private boolean send(List<String> lines) {
    try {
      Path file = Files.createTempFile(work, "kcat", ".txt");
      Files.write(file, lines, StandardCharsets.UTF_8);
      Process p =
          new ProcessBuilder(
                  "kcat",
                  "-P",
                  "-b",
                  bootstrap,
                  "-t",
                  commandsTopic,
                  "-K",
                  "|",
                  "-X",
                  "message.timeout.ms=10000",
                  "-l",
                  file.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      boolean ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
      p.destroyForcibly();
      Files.deleteIfExists(file);
      return ok;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    sender.shutdownNow();
  }
}
