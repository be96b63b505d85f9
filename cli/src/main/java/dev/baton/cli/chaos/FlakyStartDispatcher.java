package dev.baton.cli.chaos;

import dev.baton.dispatcher.Dispatcher;
import dev.baton.dispatcher.DispatcherConfig;
import dev.baton.dispatcher.ForwardingRuntime;
import dev.baton.dispatcher.JobRuntime;
import dev.baton.dispatcher.local.LocalProcessRuntime;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.metrics.Metrics;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The chaos run's dispatcher: the production {@link Dispatcher} on the local runtime, whose start
 * throws, as a refusing Kubernetes API would, for the first try of a share of attempts ({@code
 * CHAOS_START_FAILURE_PERCENT}, chosen by the attempt id's hash so that both dispatchers agree).
 * Each refusal is logged with {@link #MARK}, for the chaos summary.
 */
public final class FlakyStartDispatcher extends ForwardingRuntime {
  static final String MARK = "chaos: start refused";
  private final int percent;
  private final Set<String> refused = ConcurrentHashMap.newKeySet();

  FlakyStartDispatcher(JobRuntime inner, int percent) {
    super(inner);
    this.percent = percent;
  }

  @Override
  public boolean start(JobDispatch dispatch, Consumer<JobCompletion> onEnd) {
    String id = dispatch.getAttemptId();
    if (Math.floorMod(id.hashCode(), 100) < percent && refused.add(id)) {
      System.err.println(MARK + " for " + id);
      throw new IllegalStateException("the API server answered 500 (injected by baton chaos)");
    }
    return super.start(dispatch, onEnd);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    DispatcherConfig config = DispatcherConfig.fromEnv(env);
    int percent = Integer.parseInt(env.getOrDefault("CHAOS_START_FAILURE_PERCENT", "0"));
    Dispatcher dispatcher =
        new Dispatcher(
                config,
                new FlakyStartDispatcher(
                    new LocalProcessRuntime(config.workDir(), config.tailBytes(), config.secrets()),
                    percent),
                Metrics.prometheus())
            .start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  dispatcher.close();
                  stopped.countDown();
                },
                "dispatcher-shutdown"));
    stopped.await();
  }
}
