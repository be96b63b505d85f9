package dev.baton.client;

import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What the client keeps of one awaited run while it goes on: its last events, its jobs' outputs and
 * the job that failed, each bounded, and the result once the run ends.
 */
final class RunFollower {
  /** Most events kept per run (the oldest go first). */
  static final int MAX_EVENTS = 1_000;

  /** Most characters of outputs kept per run; past it, a job's outputs are left out. */
  static final int MAX_OUTPUT_CHARS = 1 << 20;

  final String runId;
  final CompletableFuture<RunResult> result = new CompletableFuture<>();
  private final Deque<RunEvent> events = new ArrayDeque<>();
  private final Map<String, String> outputs = new LinkedHashMap<>();
  private final List<Consumer<RunEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> attempts = new LinkedHashMap<>();
  private int outputChars;
  private String failedJob;

  private Runnable onEnd = () -> {};

  RunFollower(String runId) {
    this.runId = runId;
  }

  /**
   * {@code action} runs when the run ends, before its result completes: whoever the result wakes
   * finds the run no longer followed.
   */
  void onEnd(Runnable action) {
    this.onEnd = action;
  }

  private boolean end(RunResult r) {
    onEnd.run();
    return result.complete(r);
  }

  /** Applies one of the run's events; true when it ended the run. */
  synchronized boolean accept(RunEvent e) {
    if (events.size() == MAX_EVENTS) {
      events.removeFirst();
    }
    events.addLast(e);
    for (Consumer<RunEvent> listener : listeners) {
      try {
        listener.accept(e);
      } catch (RuntimeException ignored) {
        // a listener's failure is its own; the run is still followed
      }
    }
    RunEventType type = e.getType();
    if ((type == RunEventType.JOB_DISPATCHED || type == RunEventType.JOB_WAITING)
        && e.getJob() != null
        && e.getAttempt() != null
        && e.getItem() == null
        && attempts.size() < 1_000) {
      attempts.put(e.getJob(), e.getAttempt());
    }
    if (type == RunEventType.JOB_SUCCEEDED && e.getItem() == null && e.getJob() != null) {
      keep(e.getJob() + ".", e.getOutputs());
    } else if (type == RunEventType.JOB_FAILED && e.getItem() == null) {
      failedJob = e.getJob();
    } else if (type == RunEventType.RUN_SUCCEEDED) {
      keep("", e.getOutputs());
      return end(ended(RunResult.Status.SUCCEEDED, null, null));
    } else if (type == RunEventType.RUN_FAILED) {
      return end(ended(RunResult.Status.FAILED, failedJob, e.getDetail()));
    } else if (type == RunEventType.RUN_CANCELLED) {
      return end(ended(RunResult.Status.CANCELLED, null, e.getDetail()));
    } else if (type == RunEventType.REJECTED) {
      onEnd.run();
      return result.completeExceptionally(
          new BatonException("run '" + runId + "' was refused: " + e.getDetail()));
    } else if (type == RunEventType.RUN_RETRIED) {
      failedJob = null; // the failed jobs run again
    } else if (type == RunEventType.TRIGGER_REPEATED) {
      return repeated(e);
    }
    return false;
  }

  /**
   * A start that named this run when it existed: if the run has ended, the event holds how (its
   * events came before this client looked); if it goes on, its end is still to come.
   */
  private boolean repeated(RunEvent e) {
    String status = e.getRunStatus() == null ? "" : e.getRunStatus();
    switch (status) {
      case "SUCCEEDED" -> {
        keep("", e.getOutputs());
        return end(ended(RunResult.Status.SUCCEEDED, null, null));
      }
      case "FAILED" -> {
        return end(ended(RunResult.Status.FAILED, e.getJob(), e.getDetail()));
      }
      case "CANCELLED" -> {
        return end(ended(RunResult.Status.CANCELLED, null, e.getDetail()));
      }
      default -> {
        return false;
      }
    }
  }

  private void keep(String prefix, Map<String, String> values) {
    if (values == null) {
      return;
    }
    for (Map.Entry<String, String> v : values.entrySet()) {
      int chars = prefix.length() + v.getKey().length() + String.valueOf(v.getValue()).length();
      if (outputChars + chars > MAX_OUTPUT_CHARS) {
        return;
      }
      outputChars += chars;
      outputs.put(prefix + v.getKey(), v.getValue());
    }
  }

  private RunResult ended(RunResult.Status status, String job, String reason) {
    return new RunResult(runId, status, outputs, job, reason);
  }

  /** The attempt of {@code job} last dispatched or waiting, or null. */
  synchronized Integer attempt(String job) {
    return attempts.get(job);
  }

  synchronized List<RunEvent> events() {
    return new ArrayList<>(events);
  }

  /** {@code listener} gets every event from now on, after those already seen. */
  synchronized void listen(Consumer<RunEvent> listener) {
    events.forEach(listener);
    listeners.add(listener);
  }
}
