package dev.baton.dispatcher;

import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sends each dispatch to the runtime its job asks for ({@code runtime:}), else to the deployment's
 * default.
 */
public final class RuntimeRouter implements JobRuntime {
  private final Map<String, JobRuntime> runtimes;
  private final String defaultRuntime;

  public RuntimeRouter(Map<String, JobRuntime> runtimes, String defaultRuntime) {
    if (!runtimes.containsKey(defaultRuntime)) {
      throw new IllegalArgumentException(
          "BATON_RUNTIME '" + defaultRuntime + "' is not one of " + runtimes.keySet());
    }
    this.runtimes = new LinkedHashMap<>(runtimes);
    this.defaultRuntime = defaultRuntime;
  }

  @Override
  public boolean start(JobDispatch dispatch, Consumer<JobCompletion> onEnd) {
    String name = dispatch.getRuntime() == null ? defaultRuntime : dispatch.getRuntime();
    JobRuntime runtime = runtimes.get(name);
    if (runtime == null) {
      onEnd.accept(
          Reports.failed(
              dispatch,
              "this dispatcher has no '" + name + "' runtime (it runs " + runtimes.keySet() + ")"));
      return true;
    }
    return runtime.start(dispatch, onEnd);
  }

  /** A stop goes to every runtime: only the one running the attempt knows it. */
  @Override
  public void stop(String attemptId) {
    runtimes.values().forEach(r -> r.stop(attemptId));
  }

  @Override
  public int running() {
    return runtimes.values().stream().mapToInt(JobRuntime::running).sum();
  }

  @Override
  public void close() {
    runtimes.values().forEach(JobRuntime::close);
  }
}
