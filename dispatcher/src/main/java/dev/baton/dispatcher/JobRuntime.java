package dev.baton.dispatcher;

import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import java.util.function.Consumer;

/**
 * Starts one job attempt and reports how it ended. Implementations: a local child process ({@link
 * dev.baton.dispatcher.local.LocalProcessRuntime}); a Kubernetes pod.
 */
public interface JobRuntime extends AutoCloseable {

  /**
   * Starts the attempt; returns at once. {@code onEnd} receives the completion exactly once, unless
   * the attempt is already running here (a redelivered dispatch), in which case nothing happens and
   * this returns false.
   */
  boolean start(JobDispatch dispatch, Consumer<JobCompletion> onEnd);

  /** Stops a running attempt; its completion reports STOPPED. Unknown attempts are ignored. */
  void stop(String attemptId);

  /** Attempts running now. */
  int running();

  @Override
  void close();
}
