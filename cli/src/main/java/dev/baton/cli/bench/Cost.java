package dev.baton.cli.bench;

import java.nio.file.Path;
import java.util.Map;

/**
 * What engine, broker and Redis spent in one measured window: CPU time, peak resident memory, Redis
 * commands (those run inside scripts included) and the engine's Kafka transactions; {@code stepMs}:
 * the mean of each phase of the engine's pass ({@link StepAccount}).
 */
record Cost(
    long engineCpuMs,
    long brokerCpuMs,
    long redisCpuMs,
    long enginePeakMiB,
    long brokerPeakMiB,
    long redisPeakMiB,
    long redisCommands,
    long scriptsByText,
    long scriptsBySha,
    double commits,
    long driverCpuMs,
    double machineBusy,
    double decidedAfterMs,
    Map<String, Double> stepMs) {

  /** CPU milliseconds of engine, broker and Redis together. */
  long totalCpuMs() {
    return engineCpuMs + brokerCpuMs + redisCpuMs;
  }

  /** Takes the readings as the runtime's measured window opens and closes. */
  static class Meter implements Window {
    private final ProcessStats engine;
    private final EngineProcess engineProcess;
    private final Machine machine;
    private final RedisCeiling redis;
    private final ProcessStats driver = new ProcessStats("driver", ProcessHandle.current().pid());
    private long[] cpuBefore;
    private long[] machineBefore;
    private Map<String, Long> callsBefore;
    private double commitsBefore;
    private double[] transitionsBefore;
    private StepAccount stepsBefore;
    private Cost cost;

    Meter(EngineProcess engine, Machine machine, RedisCeiling redis) {
      this.engineProcess = engine;
      this.engine = new ProcessStats("engine", engine.pid());
      this.machine = machine;
      this.redis = redis;
    }

    /** The same readings, with a JFR recording of the engine over the window into {@code file}. */
    Window recording(EngineProcess process, Path file) {
      Meter meter = this;
      return new Window() {
        @Override
        public void begin() {
          meter.begin();
          try {
            process.startRecording();
          } catch (Exception e) {
            throw new IllegalStateException(
                "cannot start a JFR recording of the engine: " + e.getMessage(), e);
          }
        }

        @Override
        public void end() {
          try {
            process.stopRecording(file);
          } catch (Exception e) {
            throw new IllegalStateException(
                "cannot stop the JFR recording of the engine: " + e.getMessage(), e);
          }
          meter.end();
        }
      };
    }

    @Override
    public void begin() {
      for (ProcessStats p : new ProcessStats[] {engine, machine.broker(), machine.redis()}) {
        p.resetPeak();
      }
      callsBefore = redis.commandCalls();
      // One scrape of the engine per reading: each costs the engine CPU, and the window's first
      // steps would wait for it.
      String scraped = scrape();
      commitsBefore = EngineProcess.metricIn(scraped, "kafka_stream_thread_commit_total");
      transitionsBefore = transitions(scraped);
      stepsBefore = StepAccount.read(scraped);
      cpuBefore =
          new long[] {
            engine.cpuMillis(),
            machine.broker().cpuMillis(),
            machine.redis().cpuMillis(),
            driver.cpuMillis()
          };
      machineBefore = ProcessStats.machineTicks();
    }

    @Override
    public void end() {
      long[] cpu = {
        engine.cpuMillis(),
        machine.broker().cpuMillis(),
        machine.redis().cpuMillis(),
        driver.cpuMillis()
      };
      long[] ticks = ProcessStats.machineTicks();
      double busy =
          ticks == null || machineBefore == null || ticks[1] == machineBefore[1]
              ? Double.NaN
              : (double) (ticks[0] - machineBefore[0]) / (ticks[1] - machineBefore[1]);
      Map<String, Long> calls = redis.commandCalls();
      String scraped = scrape();
      long total = 0;
      for (Map.Entry<String, Long> e : calls.entrySet()) {
        total += e.getValue() - callsBefore.getOrDefault(e.getKey(), 0L);
      }
      cost =
          new Cost(
              cpu[0] - cpuBefore[0],
              cpu[1] - cpuBefore[1],
              cpu[2] - cpuBefore[2],
              engine.peakRssMiB(),
              machine.broker().peakRssMiB(),
              machine.redis().peakRssMiB(),
              total,
              delta(calls, "eval"),
              delta(calls, "evalsha"),
              EngineProcess.metricIn(scraped, "kafka_stream_thread_commit_total") - commitsBefore,
              cpu[3] - cpuBefore[3],
              busy,
              meanMillis(transitionsBefore, transitions(scraped)),
              StepAccount.read(scraped).meansSince(stepsBefore));
    }

    private long delta(Map<String, Long> calls, String command) {
      return calls.getOrDefault(command, 0L) - callsBefore.getOrDefault(command, 0L);
    }

    /** The engine's metrics now; empty (every figure NaN) when they cannot be read. */
    private String scrape() {
      try {
        return engineProcess.metrics();
      } catch (Exception e) {
        return "";
      }
    }

    /**
     * The engine's step-transition timer in {@code scraped}: seconds summed, and count (completion
     * published to the next dispatch decided).
     */
    private static double[] transitions(String scraped) {
      return new double[] {
        EngineProcess.metricIn(scraped, "baton_step_transition_seconds_sum"),
        EngineProcess.metricIn(scraped, "baton_step_transition_seconds_count")
      };
    }

    private static double meanMillis(double[] before, double[] after) {
      double count = after[1] - before[1];
      return count > 0 ? 1000 * (after[0] - before[0]) / count : Double.NaN;
    }

    Cost cost(LoadDriver.Result result) {
      if (cost == null) {
        throw new IllegalStateException("the measured window never closed");
      }
      return cost;
    }
  }
}
