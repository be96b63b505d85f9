package dev.baton.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * What each test class cost: its wall time and the CPU of this JVM and of the processes it started
 * and reaped (from /proc/self/stat), appended to {@code target/class-costs.txt}, one line per
 * class. A JVM runs one class at a time, so the CPU is the class's, the shared broker's work for it
 * included. Read it to find where the suite's time goes; nothing asserts on it.
 */
public final class ClassCosts implements TestExecutionListener {
  private static final Path OUT = Path.of("target", "class-costs.txt");
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  private record Start(long nanos, double cpuSeconds) {}

  private final Map<String, Start> started = new ConcurrentHashMap<>();

  @Override
  public void executionStarted(TestIdentifier id) {
    className(id).ifPresent(c -> started.put(c, new Start(System.nanoTime(), cpuSeconds())));
  }

  @Override
  public void executionFinished(TestIdentifier id, TestExecutionResult result) {
    className(id)
        .ifPresent(
            c -> {
              Start s = started.remove(c);
              if (s == null) {
                return;
              }
              String line =
                  String.format(
                      "%7.1f s wall %7.1f s CPU  %s%n",
                      (System.nanoTime() - s.nanos()) / 1e9, cpuSeconds() - s.cpuSeconds(), c);
              try {
                Files.createDirectories(OUT.getParent());
                Files.writeString(
                    OUT,
                    line,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
              } catch (IOException e) {
                // an account that cannot be written is not a test failure
              }
            });
  }

  private static java.util.Optional<String> className(TestIdentifier id) {
    return id.getSource()
        .filter(ClassSource.class::isInstance)
        .map(s -> ((ClassSource) s).getClassName());
  }

  /** User and system CPU of this process and its reaped children (-1 off Linux). */
  private static double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields 14-17 of stat(5): utime, stime, cutime, cstime; f[0] is field 3
      long ticks = 0;
      for (int i = 11; i <= 14; i++) {
        ticks += Long.parseLong(f[i]);
      }
      return ticks / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
