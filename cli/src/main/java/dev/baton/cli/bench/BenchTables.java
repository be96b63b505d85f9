package dev.baton.cli.bench;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The benchmark's figures as two tables: speed and latency, then what each workflow cost. */
final class BenchTables {
  private BenchTables() {}

  static void print(PrintWriter out, List<BenchCmd.Row> rows, RedisCeiling.Result redis, int jobs) {
    speed(out, rows);
    waits(out, rows);
    cost(out, rows);
    steps(out, rows);
    transitions(out, rows, jobs);
    notes(out, rows, redis, jobs);
  }

  /**
   * Records the engine applied per second in each Baton phase, from the tasks completed: a workflow
   * is a trigger and one completion per job (the benchmark's runtime sends no start reports).
   */
  private static void transitions(PrintWriter out, List<BenchCmd.Row> rows, int jobs) {
    out.println();
    out.printf(
        "engine transitions/s (records applied: a trigger and %d completions per workflow)%n",
        jobs);
    for (BenchCmd.Row r : rows) {
      if (r.cost() != null) {
        out.printf(
            "%-60s %-16s %9.0f%n",
            r.phase(), r.mode(), r.result().tasksPerSecond() * (jobs + 1) / jobs);
      }
    }
  }

  /** Tasks per second against the ceiling of the same mode and load, and the latencies. */
  private static void speed(PrintWriter out, List<BenchCmd.Row> rows) {
    Map<String, Double> ceilings = new HashMap<>();
    for (BenchCmd.Row r : rows) {
      if (r.cost() == null) {
        ceilings.put(r.mode() + inFlight(r.phase()), r.result().tasksPerSecond());
      }
    }
    out.println();
    out.printf(
        "%-42s %-16s %9s %7s %8s %8s %8s %9s %9s %9s%n",
        "phase",
        "mode",
        "tasks/s",
        "/ceil",
        "step p50",
        "p95",
        "p99",
        "start p50",
        "run p50",
        "run p99");
    for (BenchCmd.Row r : rows) {
      LoadDriver.Result x = r.result();
      Double ceiling = r.cost() == null ? null : ceilings.get(r.mode() + inFlight(r.phase()));
      out.printf(
          "%-42s %-16s %9.0f %7s %8.1f %8.1f %8.1f %9.1f %9s %9s%n",
          r.phase(),
          r.mode(),
          x.tasksPerSecond(),
          ceiling == null ? "" : String.format("%.2f", x.tasksPerSecond() / ceiling),
          ms(x.transitions(), 50),
          ms(x.transitions(), 95),
          ms(x.transitions(), 99),
          ms(x.starts(), 50),
          r.cost() == null ? "" : String.format("%.1f", ms(x.endToEnd(), 50)),
          r.cost() == null ? "" : String.format("%.1f", ms(x.endToEnd(), 99)));
    }
  }

  /**
   * Where a step's time went: the step's mean beside the means of the engine's phases (a record's
   * delivery, its wait in the batch, the batch's pass with its Redis round trips, the wait for the
   * commit and the commit), and what is left: the dispatch's way to the runtime's consumer.
   */
  private static void steps(PrintWriter out, List<BenchCmd.Row> rows) {
    out.println();
    out.printf(
        "%-42s %-16s %6s | %9s %7s %7s %6s %6s %6s %6s | %6s | %6s%n",
        "where a step's time goes (means, ms)",
        "mode",
        "step",
        "delivered",
        "batched",
        "applied",
        "load",
        "save",
        "paced",
        "commit",
        "rest",
        "resent");
    for (BenchCmd.Row r : rows) {
      Cost c = r.cost();
      if (c == null) {
        continue;
      }
      Map<String, Double> m = c.stepMs();
      double step = r.result().transitions().meanMillis();
      double accounted = 0;
      for (String phase : List.of("delivered", "batched", "applied", "paced", "commit")) {
        double v = m.getOrDefault(phase, Double.NaN);
        accounted += Double.isNaN(v) ? 0 : v;
      }
      out.printf(
          "%-42s %-16s %6.1f | %9s %7s %7s %6s %6s %6s %6s | %6.1f | %6s%n",
          r.phase(),
          r.mode(),
          step,
          fixed(m.get("delivered")),
          fixed(m.get("batched")),
          fixed(m.get("applied")),
          fixed(m.get("redis load")),
          fixed(m.get("redis save")),
          fixed(m.get("paced")),
          fixed(m.get("commit")),
          step - accounted,
          m.get("resent") == null || m.get("resent").isNaN()
              ? "-"
              : String.format("%.2f", m.get("resent")));
    }
  }

  private static String fixed(Double v) {
    return v == null || v.isNaN() ? "-" : String.format("%.1f", v);
  }

  /** With a wait step: an awaited event published to its run's next job dispatched. */
  private static void waits(PrintWriter out, List<BenchCmd.Row> rows) {
    for (BenchCmd.Row r : rows) {
      LoadDriver.Result x = r.result();
      if (x.waits().count() > 0) {
        out.printf(
            "%-42s %-16s event -> next job dispatched p50 %.1f ms, p95 %.1f ms, p99 %.1f ms"
                + " (%d events); a plain step p50 %.1f ms: %.2fx%n",
            r.phase(),
            r.mode(),
            ms(x.waits(), 50),
            ms(x.waits(), 95),
            ms(x.waits(), 99),
            x.waits().count(),
            ms(x.transitions(), 50),
            ms(x.waits(), 50) / ms(x.transitions(), 50));
      }
    }
  }

  /** What each workflow cost the engine, the broker and Redis. */
  private static void cost(PrintWriter out, List<BenchCmd.Row> rows) {
    out.println();
    out.printf(
        "%-42s %-16s %7s | %29s | %22s | %9s %9s %8s | %13s | %7s%n",
        "", "", "", "CPU-ms per workflow", "peak RSS MiB", "Redis", "", "", "machine", "engine");
    out.printf(
        "%-42s %-16s %7s | %6s %6s %6s %7s | %6s %6s %6s | %9s %9s %8s | %6s %6s | %7s%n",
        "phase",
        "mode",
        "runs/s",
        "engine",
        "broker",
        "Redis",
        "total",
        "engine",
        "broker",
        "Redis",
        "cmds/task",
        "commits/s",
        "tasks/tx",
        "busy",
        "driver",
        "decided");
    for (BenchCmd.Row r : rows) {
      Cost c = r.cost();
      if (c == null) {
        continue;
      }
      double runs = Math.max(1, r.result().runsEnded());
      double seconds = r.result().seconds();
      out.printf(
          "%-42s %-16s %7.1f | %6.2f %6.2f %6.2f %7.2f | %6d %6d %6d | %9.1f %9.1f %8.1f | %5.0f%% %6.2f | %7.1f%n",
          r.phase(),
          r.mode(),
          r.result().runsPerSecond(),
          c.engineCpuMs() / runs,
          c.brokerCpuMs() / runs,
          c.redisCpuMs() / runs,
          c.totalCpuMs() / runs,
          c.enginePeakMiB(),
          c.brokerPeakMiB(),
          c.redisPeakMiB(),
          (double) c.redisCommands() / Math.max(1, r.result().tasks()),
          c.commits() / seconds,
          r.result().tasks() / Math.max(1, c.commits()),
          100 * c.machineBusy(),
          c.driverCpuMs() / runs,
          c.decidedAfterMs());
    }
  }

  private static void notes(
      PrintWriter out, List<BenchCmd.Row> rows, RedisCeiling.Result redis, int jobs) {
    long byText =
        rows.stream().filter(r -> r.cost() != null).mapToLong(r -> r.cost().scriptsByText()).sum();
    long bySha =
        rows.stream().filter(r -> r.cost() != null).mapToLong(r -> r.cost().scriptsBySha()).sum();
    out.println();
    out.printf(
        "Redis scripts in the measured windows: %d sent as text (EVAL), %d called by SHA (EVALSHA)%n",
        byText, bySha);
    out.printf(
        "(c) Redis round trip (Redisson, GET): %.0f/s one at a time (p50 %.0f µs, p99 %.0f µs), %.0f/s pipelined%n",
        redis.sequentialPerSecond(),
        redis.p50Micros(),
        redis.p99Micros(),
        redis.pipelinedPerSecond());
    out.printf(
        "a workflow is a run of %d no-op jobs; tasks/s: jobs dispatched and completed per second; step: a completion published ->"
            + " the next dispatch read (read_committed); start: trigger published -> first dispatch read; run: trigger published ->"
            + " RUN_SUCCEEDED read; CPU: /proc of each process over the measured window (JIT compiler threads left out), divided by the"
            + " runs that ended in it; busy: the whole machine's CPU in use; driver: this process, the benchmark's own runtime; decided: mean ms from a completion"
            + " published to the engine deciding the next dispatch (the rest of a step is the commit and the runtime reading it);"
            + " where a step's time goes: delivered, a completion published -> read by the engine; batched, read -> its batch"
            + " applied; applied, a batch loaded (Redis load), decided and saved (Redis save); paced, a batch applied -> its"
            + " commit started; commit, a transaction's commit; rest, the step less these (the dispatch's way to the"
            + " runtime's consumer); applied, paced and commit are per batch or commit, which a record shares; resent, records"
            + " the engine's producer sent again per commit (a transaction begun while the last one completes is refused);"
            + " the ceiling passes one record per step (no STARTED reports); \"commit when drained\": a commit as soon as the"
            + " task's input is drained, the floor of one transaction per step%n",
        jobs);
  }

  private static double ms(Latencies l, double p) {
    return l.percentileMillis(p);
  }

  /**
   * "(b) Baton, 32 in flight" and "(a) ceiling, 32 in flight" compare; half load compares with
   * nothing.
   */
  private static String inFlight(String phase) {
    int comma = phase.indexOf(", ");
    return comma < 0 ? phase : phase.substring(comma);
  }
}
