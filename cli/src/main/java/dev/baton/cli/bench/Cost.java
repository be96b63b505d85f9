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
      commitsBefore = commits();
      transitionsBefore = transitions();
      stepsBefore = StepAccount.read(engineProcess);
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
              commits() - commitsBefore,
              cpu[3] - cpuBefore[3],
              busy,
              meanMillis(transitionsBefore, transitions()),
              StepAccount.read(engineProcess).meansSince(stepsBefore));
    }

    private long delta(Map<String, Long> calls, String command) {
      return calls.getOrDefault(command, 0L) - callsBefore.getOrDefault(command, 0L);
    }

    /** Transactions (or offset commits) of the engine's stream threads so far. */
    private double commits() {
      try {
        return engineProcess.metric("kafka_stream_thread_commit_total");
      } catch (Exception e) {
        return Double.NaN;
      }
    }

    /**
     * The engine's step-transition timer so far: seconds summed, and count (completion published to
     * the next dispatch decided).
     */
    private double[] transitions() {
      try {
        return new double[] {
          engineProcess.metric("baton_step_transition_seconds_sum"),
          engineProcess.metric("baton_step_transition_seconds_count")
        };
      } catch (Exception e) {
        return new double[] {Double.NaN, Double.NaN};
      }
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
