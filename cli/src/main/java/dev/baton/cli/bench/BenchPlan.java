package dev.baton.cli.bench;

import java.io.PrintWriter;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** The first lines {@code baton bench} prints: what it measures, and on which machine. */
final class BenchPlan {
  private BenchPlan() {}

  /** What is measured, and on which machine. */
  static void print(BenchCmd plan, PrintWriter out) {
    if (plan.tenants) {
      out.printf(
          "baton bench --tenants: %d job slots, jobs of %d ms, %d per run; a quiet tenant at 1 run/s for %d s, alone,"
              + " beside a noisy tenant with %d runs in flight, and under the noisy tenant's name%n",
          plan.capacity, plan.jobMillis, plan.jobs, plan.seconds, plan.noisyRuns);
    } else {
      printPhases(plan, out);
    }
    out.printf(
        "machine: %d cores (%s), %s %s, Java %s; %s%n",
        Runtime.getRuntime().availableProcessors(),
        Machine.cpuModel(),
        System.getProperty("os.name"),
        System.getProperty("os.arch"),
        System.getProperty("java.version"),
        LocalDate.now(ZoneOffset.UTC));
  }

  private static void printPhases(BenchCmd plan, PrintWriter out) {
    out.printf(
        "baton bench: %d no-op jobs per run; closed loop of %d runs in flight (%d s), then half its rate open loop (%d s)%s;"
            + " %d partitions, %d stream thread(s), commit interval %s; %s%n",
        plan.jobs,
        plan.inFlight,
        plan.seconds,
        plan.seconds / 2,
        plan.saturated > 0
            ? ", then " + plan.saturated + " in flight (" + plan.seconds / 2 + " s)"
            : "",
        plan.partitions,
        plan.threads,
        plan.commitInterval > 0 ? plan.commitInterval + " ms" : "the engine's default",
        plan.startReports
            ? "each job reports STARTED before its end, as the dispatcher does"
            : "no STARTED reports (--no-start-reports)");
  }
}
