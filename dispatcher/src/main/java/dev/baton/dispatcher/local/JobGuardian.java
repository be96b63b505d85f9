package dev.baton.dispatcher.local;

import dev.baton.process.Executables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the local runtime's jobs when this process dies without closing it (a kill -9): a small
 * shell in a session of its own waits beside this process and, once it is gone, sends SIGTERM (then
 * SIGKILL) to the process group of every job listed in a file the runtime keeps up to date. Each
 * job runs in a session of its own ({@code setsid}), so its group holds what it started. Without
 * {@code setsid} and {@code sh} (not a Unix), there is no guardian and closing the runtime is the
 * only way jobs stop. The list is written right after each job starts; a kill -9 between the two
 * leaves that one job running.
 */
final class JobGuardian implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobGuardian.class);
  private static final String SCRIPT =
      "parent=$1; file=$2; "
          + "while kill -0 \"$parent\" 2>/dev/null; do sleep 1; done; "
          + "if [ -f \"$file\" ]; then "
          + "for p in $(cat \"$file\"); do kill -TERM -- \"-$p\" 2>/dev/null || kill -TERM \"$p\" 2>/dev/null; done; "
          + "sleep 2; "
          + "for p in $(cat \"$file\"); do kill -KILL -- \"-$p\" 2>/dev/null || kill -KILL \"$p\" 2>/dev/null; done; "
          + "rm -f \"$file\"; fi";

  private final Path pidFile;
  private final Process guardian;
  private final Path setsid;

  private JobGuardian(Path pidFile, Process guardian, Path setsid) {
    this.pidFile = pidFile;
    this.guardian = guardian;
    this.setsid = setsid;
  }

  /** A guardian for jobs whose pids are kept in {@code pidFile}; one that does nothing off Unix. */
  static JobGuardian start(Path pidFile) {
    Path setsid = Executables.onPath("setsid");
    Path sh = Executables.onPath("sh");
    if (setsid == null || sh == null) {
      LOG.info("no setsid or sh on PATH: local jobs are stopped only when the runtime closes");
      return new JobGuardian(pidFile, null, null);
    }
    try {
      Files.createDirectories(pidFile.getParent());
      Files.deleteIfExists(pidFile);
      Process p =
          new ProcessBuilder(
                  setsid.toString(),
                  sh.toString(),
                  "-c",
                  SCRIPT,
                  "baton-job-guardian",
                  Long.toString(ProcessHandle.current().pid()),
                  pidFile.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      p.getOutputStream().close();
      return new JobGuardian(pidFile, p, setsid);
    } catch (IOException e) {
      LOG.warn("no guardian for local jobs: {}", e.toString());
      return new JobGuardian(pidFile, null, null);
    }
  }

  /** {@code argv} as started in a session of its own (its pid is its group's), when possible. */
  List<String> ownSession(List<String> argv) {
    if (setsid == null) {
      return argv;
    }
    List<String> out = new ArrayList<>(argv.size() + 1);
    out.add(setsid.toString());
    out.addAll(argv);
    return out;
  }

  /** The jobs running now (null: not started yet): the ones to stop should this process die. */
  synchronized void running(Collection<Process> processes) {
    if (guardian == null) {
      return;
    }
    List<Long> pids =
        processes.stream().filter(p -> p != null && p.isAlive()).map(Process::pid).toList();
    try {
      Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
      Files.writeString(
          tmp, pids.stream().map(String::valueOf).collect(Collectors.joining("\n", "", "\n")));
      Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("cannot list the running jobs for the guardian: {}", e.toString());
    }
  }

  @Override
  public void close() {
    if (guardian != null) {
      running(List.<Process>of());
      guardian.destroy();
    }
  }
}
