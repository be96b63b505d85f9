package dev.baton.cli.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code baton bench --tenants}: a quiet tenant's start latency at 1 run/s, alone and beside a
 * noisy tenant whose backlog keeps every job slot busy. Jobs take {@code --job-ms}; the engine has
 * {@code --capacity} job slots. A third phase sends the quiet runs under the noisy tenant's name:
 * without a share of its own a run waits behind the whole backlog, which shows what the fair share
 * buys.
 */
final class TenantBench {
  private final Duration settle;
  private final Duration window;
  private final int noisyInFlight;
  private final PrintWriter out;

  /** What the quiet tenant saw in one phase, and how fast the noisy one went beside it. */
  record Phase(String name, LoadDriver.Result quiet, LoadDriver.Result noisy) {}

  TenantBench(Duration settle, Duration window, int noisyInFlight, PrintWriter out) {
    this.settle = settle;
    this.window = window;
    this.noisyInFlight = noisyInFlight;
    this.out = out;
  }

  Phase alone(LoadDriver quiet) throws InterruptedException {
    out.println("(t) the quiet tenant alone, 1 run/s ...");
    return new Phase("quiet tenant alone", quiet.open(1.0, settle, window, Window.NONE), null);
  }

  /**
   * {@code quiet} at 1 run/s while {@code noisy} keeps {@code noisyInFlight} runs in flight: the
   * noisy loop starts first, so its backlog has formed before the quiet window opens.
   */
  Phase beside(String name, LoadDriver quiet, LoadDriver noisy) throws Exception {
    out.printf("(t) %s, beside %d runs in flight of the noisy tenant ...%n", name, noisyInFlight);
    Duration noisyWindow = settle.plus(window).plusSeconds(1);
    CompletableFuture<LoadDriver.Result> noisyRun =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return noisy.closed(noisyInFlight, settle, noisyWindow, Window.NONE);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
              }
            });
    TimeUnit.MILLISECONDS.sleep(settle.toMillis());
    LoadDriver.Result quietResult = quiet.open(1.0, settle, window, Window.NONE);
    return new Phase(name, quietResult, noisyRun.get(5, TimeUnit.MINUTES));
  }

  static void print(PrintWriter out, Phase alone, Phase... others) {
    out.printf(
        "%-52s %10s %10s %10s %9s %12s%n",
        "quiet tenant, 1 run/s", "start p50", "start p99", "run p50", "vs alone", "noisy jobs/s");
    for (Phase p : concat(alone, others)) {
      double p50 = p.quiet().starts().percentileMillis(50);
      out.printf(
          "%-52s %7.1f ms %7.1f ms %7.1f ms %8.2fx %12s%n",
          p.name() + " (" + p.quiet().starts().count() + " runs)",
          p50,
          p.quiet().starts().percentileMillis(99),
          p.quiet().endToEnd().percentileMillis(50),
          p50 / alone.quiet().starts().percentileMillis(50),
          p.noisy() == null ? "-" : String.format("%.0f", p.noisy().tasksPerSecond()));
    }
  }

  private static Phase[] concat(Phase first, Phase[] rest) {
    Phase[] all = new Phase[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
