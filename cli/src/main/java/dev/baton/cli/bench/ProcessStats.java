package dev.baton.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and peak memory of a process on this machine, from Linux's {@code /proc}: what the
 * benchmark charges to the engine, the broker and Redis. Reads nothing on other systems (-1).
 */
final class ProcessStats {
  /**
   * Clock ticks per second of {@code /proc/<pid>/stat} (USER_HZ); 100 on every Linux the JDK runs
   * on.
   */
  private static final long TICKS_PER_SECOND = 100;

  private final long pid;
  private final String name;

  ProcessStats(String name, long pid) {
    this.name = name;
    this.pid = pid;
  }

  String name() {
    return name;
  }

  /**
   * User and system CPU time of the process's threads so far, in milliseconds, leaving out the
   * JVM's JIT compiler threads: a young JVM compiles for minutes on two shared cores, a
   * long-running one does not, and the benchmark reports the long-running cost. -1 when unknown.
   */
  long cpuMillis() {
    try (var threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      long ticks =
          ticks(
              Path.of(
                  "/proc",
                  Long.toString(pid),
                  "stat")); // every thread's, those that ended included
      for (Path task : (Iterable<Path>) threads::iterator) {
        String stat = Files.readString(task.resolve("stat"));
        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
          ticks -= ticks(task.resolve("stat"));
        }
      }
      return ticks * 1000 / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * utime + stime of a stat file: fields 14 and 15, counted after the name (which may hold spaces).
   */
  private static long ticks(Path statFile) throws IOException {
    String stat = Files.readString(statFile);
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /**
   * Busy and total CPU time of the whole machine so far, in clock ticks (/proc/stat), or null when
   * unknown.
   */
  static long[] machineTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle, iowait
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Peak resident set size since the process started or since {@link #resetPeak}, in MiB; -1 when
   * unknown.
   */
  long peakRssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process is gone
    }
    return -1;
  }

  /**
   * Starts a new peak-RSS window (Linux: write 5 to clear_refs); false when not allowed, and the
   * peak is then since start.
   */
  boolean resetPeak() {
    try {
      Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
