package dev.baton.process;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** Stopping a child process together with everything it started. */
public final class ProcessTrees {
  private ProcessTrees() {}

  /**
   * Asks the process and its descendants to stop (SIGTERM), waits up to 5 s, then kills whatever is
   * left.
   */
  public static void destroy(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    descendants.forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
