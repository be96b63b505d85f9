package dev.baton.cli.bench;

import java.nio.file.Path;
import java.util.Map;

/**
 * What engine, broker and Redis spent in one measured window: CPU time, peak resident memory,
 * Redis commands (those run inside scripts included) and the engine's Kafka transactions.
 */
record Cost(long engineCpuMs, long brokerCpuMs, long redisCpuMs, long enginePeakMiB, long brokerPeakMiB, long redisPeakMiB,
    long redisCommands, long scriptsByText, long scriptsBySha, double commits) {

  /** CPU milliseconds of engine, broker and Redis together. */
  long totalCpuMs() {
    return engineCpuMs + brokerCpuMs + redisCpuMs;
  }

  /** Takes the readings as the runtime's measured window opens and closes. */
  static class Meter implements LoadDriver.Window {
    private final ProcessStats engine;
    private final EngineProcess engineProcess;
    private final BenchCmd.Machine machine;
    private final RedisCeiling redis;
    private long[] cpuBefore;
    private Map<String, Long> callsBefore;
    private double commitsBefore;
    private Cost cost;

    Meter(EngineProcess engine, BenchCmd.Machine machine, RedisCeiling redis) {
      this.engineProcess = engine;
      this.engine = new ProcessStats("engine", engine.pid());
      this.machine = machine;
      this.redis = redis;
    }

    /** The same readings, with a JFR recording of the engine over the window into {@code file}. */
    LoadDriver.Window recording(EngineProcess process, Path file) {
      Meter meter = this;
      return new LoadDriver.Window() {
        @Override
        public void begin() {
          meter.begin();
          try {
            process.startRecording();
          } catch (Exception e) {
            throw new IllegalStateException("cannot start a JFR recording of the engine: " + e.getMessage(), e);
          }
        }

        @Override
        public void end() {
          try {
            process.stopRecording(file);
          } catch (Exception e) {
            throw new IllegalStateException("cannot stop the JFR recording of the engine: " + e.getMessage(), e);
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
      cpuBefore = new long[] {engine.cpuMillis(), machine.broker().cpuMillis(), machine.redis().cpuMillis()};
    }

    @Override
    public void end() {
      long[] cpu = {engine.cpuMillis(), machine.broker().cpuMillis(), machine.redis().cpuMillis()};
      Map<String, Long> calls = redis.commandCalls();
      long total = 0;
      for (Map.Entry<String, Long> e : calls.entrySet()) {
        total += e.getValue() - callsBefore.getOrDefault(e.getKey(), 0L);
      }
      cost = new Cost(cpu[0] - cpuBefore[0], cpu[1] - cpuBefore[1], cpu[2] - cpuBefore[2], engine.peakRssMiB(),
          machine.broker().peakRssMiB(), machine.redis().peakRssMiB(), total, delta(calls, "eval"), delta(calls, "evalsha"),
          commits() - commitsBefore);
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

    Cost cost(LoadDriver.Result result) {
      if (cost == null) {
        throw new IllegalStateException("the measured window never closed");
      }
      return cost;
    }
  }
}
