package dev.baton.engine.apply;

import dev.baton.engine.state.FollowUp;
import dev.baton.engine.state.RunStore;
import java.util.ArrayList;
import java.util.List;

/**
 * What Redis must do once a batch's saves are written: the saves' follow-ups (and those of
 * re-emitted records), in input order, then withdrawing the attempts its decisions stopped, so that
 * no dispatcher starts them any more.
 */
public final class AfterBatch {
  private final RunStore runs;
  private final EngineCounters counters;
  private final List<FollowUp> followUps = new ArrayList<>();
  private final List<String> stopped = new ArrayList<>();

  public AfterBatch(RunStore runs, EngineCounters counters) {
    this.runs = runs;
    this.counters = counters;
  }

  public void followUp(FollowUp f) {
    followUps.add(f);
  }

  public void stopped(String attemptId) {
    stopped.add(attemptId);
  }

  /** Writes what the batch left, and forgets it. */
  public void write() {
    if (!followUps.isEmpty()) {
      List<FollowUp> some = List.copyOf(followUps);
      followUps.clear();
      counters.timeRedis(
          "follow-up",
          () -> {
            runs.followUp(some);
            return null;
          });
    }
    if (!stopped.isEmpty()) {
      List<String> ids = List.copyOf(stopped);
      stopped.clear();
      counters.timeRedis(
          "withdraw",
          () -> {
            runs.withdraw(ids);
            return null;
          });
    }
  }

  public void forgetFollowUps() {
    followUps.clear();
  }
}
