package dev.baton.dispatcher;

import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import java.util.function.Consumer;

/** A runtime that hands everything to another: extend it and override what differs. */
public abstract class ForwardingRuntime implements JobRuntime {
  protected final JobRuntime inner;

  protected ForwardingRuntime(JobRuntime inner) {
    this.inner = inner;
  }

  @Override
  public boolean start(JobDispatch dispatch, Consumer<JobCompletion> onEnd) {
    return inner.start(dispatch, onEnd);
  }

  @Override
  public void stop(String attemptId) {
    inner.stop(attemptId);
  }

  @Override
  public int running() {
    return inner.running();
  }

  @Override
  public void close() {
    inner.close();
  }
}
