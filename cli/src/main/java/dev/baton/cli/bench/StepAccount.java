package dev.baton.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a step's milliseconds went in one measured window, from the engine's own timers: each
 * phase's mean over the window (the difference of the engine's sums and counts at its ends).
 */
final class StepAccount {
  /** The phases in a step's order, each with the metric (and label) its sum and count come from. */
  private static final Map<String, String[]> PHASES = new LinkedHashMap<>();

  static {
    PHASES.put("delivered", phase("delivered"));
    PHASES.put("batched", phase("batched"));
    PHASES.put("applied", phase("applied"));
    PHASES.put(
        "redis load", new String[] {"baton_redis_round_trip_seconds", "op=\"load-batch\"", "1000"});
    PHASES.put(
        "redis save", new String[] {"baton_redis_round_trip_seconds", "op=\"save-batch\"", "1000"});
    PHASES.put("paced", phase("paced"));
  }

  private static String[] phase(String name) {
    return new String[] {"baton_engine_phase_seconds", "phase=\"" + name + "\"", "1000"};
  }

  /** The phases' sums and counts so far; the commits and their time so far. */
  private final Map<String, double[]> at = new LinkedHashMap<>();

  private double commitNanos;
  private double commits;

  private StepAccount() {}

  /** The engine's sums and counts now. */
  static StepAccount read(EngineProcess engine) {
    StepAccount a = new StepAccount();
    for (Map.Entry<String, String[]> p : PHASES.entrySet()) {
      String[] m = p.getValue();
      a.at.put(
          p.getKey(),
          new double[] {
            metric(engine, m[0] + "_sum", m[1]), metric(engine, m[0] + "_count", m[1])
          });
    }
    a.commitNanos = metric(engine, "kafka_producer_txn_commit_time_ns_total");
    a.commits = metric(engine, "kafka_stream_thread_commit_total");
    return a;
  }

  private static double metric(EngineProcess engine, String name, String... labels) {
    try {
      return engine.metric(name, labels);
    } catch (Exception e) {
      return Double.NaN;
    }
  }

  /**
   * Each phase's mean in milliseconds between {@code before} and this reading (NaN when the window
   * had none), then {@code commit}: the mean time of a transaction's commit (exactly once).
   */
  Map<String, Double> meansSince(StepAccount before) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, double[]> p : at.entrySet()) {
      double[] then = before.at.get(p.getKey());
      double count = p.getValue()[1] - then[1];
      out.put(p.getKey(), count > 0 ? 1000 * (p.getValue()[0] - then[0]) / count : Double.NaN);
    }
    double n = commits - before.commits;
    double ns = commitNanos - before.commitNanos;
    out.put("commit", n > 0 && ns > 0 ? ns / n / 1e6 : Double.NaN);
    return out;
  }
}
