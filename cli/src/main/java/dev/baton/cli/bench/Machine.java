package dev.baton.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** The processes whose cost is measured besides the engine, and what this machine is. */
record Machine(ProcessStats broker, ProcessStats redis) {
  /**
   * What engine, broker and Redis spend with no run in flight: Baton should cost nothing when idle.
   */
  void idle(EngineProcess engine, PrintWriter out, String mode) throws InterruptedException {
    ProcessStats engineStats = new ProcessStats("engine", engine.pid());
    ProcessStats[] all = {engineStats, broker, redis};
    Thread.sleep(3000);
    long[] before = new long[all.length];
    for (int i = 0; i < all.length; i++) {
      before[i] = all[i].cpuMillis();
    }
    Thread.sleep(10_000);
    StringBuilder line = new StringBuilder("  idle (no run in flight, 10 s), " + mode + ": CPU");
    for (int i = 0; i < all.length; i++) {
      line.append(
          String.format(" %s %.1f%%", all[i].name(), (all[i].cpuMillis() - before[i]) / 100.0));
    }
    out.println(line.append(" of a core"));
  }

  static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }
}
