package dev.baton.cli.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a step's milliseconds went in one measured window, from the engine's own timers: each
 * phase's mean over the window (the difference of the engine's sums and counts at its ends).
 */
final class StepAccount {
  /** A timed phase: the engine's timer (a Prometheus summary) and the label that picks it. */
  private record Phase(String name, String timer, String label) {
    static Phase engine(String name) {
      return new Phase(name, "baton_engine_phase_seconds", "phase=\"" + name + "\"");
    }

    static Phase redis(String name, String op) {
      return new Phase(name, "baton_redis_round_trip_seconds", "op=\"" + op + "\"");
    }
  }

  /** The phases in a step's order. */
  private static final List<Phase> PHASES =
      List.of(
          Phase.engine("delivered"),
          Phase.engine("batched"),
          Phase.engine("applied"),
          Phase.redis("redis load", "load-batch"),
          Phase.redis("redis save", "save-batch"),
          Phase.engine("paced"));

  /** The phases' sums and counts so far; the commits and their time so far. */
  private final Map<String, double[]> at = new LinkedHashMap<>();

  private double commitNanos;
  private double commits;
  private double retries;

  private StepAccount() {}

  /** The engine's sums and counts in {@code scraped}, one scrape of its metrics. */
  static StepAccount read(String scraped) {
    StepAccount a = new StepAccount();
    for (Phase p : PHASES) {
      a.at.put(
          p.name(),
          new double[] {
            EngineProcess.metricIn(scraped, p.timer() + "_sum", p.label()),
            EngineProcess.metricIn(scraped, p.timer() + "_count", p.label())
          });
    }
    a.commitNanos = EngineProcess.metricIn(scraped, "kafka_producer_txn_commit_time_ns_total");
    a.commits = EngineProcess.metricIn(scraped, "kafka_stream_thread_commit_total");
    a.retries = EngineProcess.metricIn(scraped, "kafka_producer_record_retry_total");
    return a;
  }

  /**
   * Each phase's mean in milliseconds between {@code before} and this reading (NaN when the window
   * had none), then {@code commit}: the mean time of a transaction's commit (exactly once), and
   * {@code resent}: the records the engine's producer sent again, per commit (a transaction begun
   * while the coordinator still completes the one before is refused and retried after a backoff).
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
    out.put("resent", n > 0 ? (retries - before.retries) / n : Double.NaN);
    return out;
  }
}
