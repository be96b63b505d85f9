package dev.baton.engine.apply;

import dev.baton.engine.decide.EngineEvent;
import dev.baton.engine.decide.JobState;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The STARTED reports of a batch that its end reports make moot. A job's STARTED report records
 * when the attempt started and moves its timer from the start timeout to the job's timeout; an end
 * report of the same attempt that carries its start time, later in the same batch, does all of that
 * and ends the attempt. Such a STARTED report is not applied (no load, decision or save of its
 * own): a job that ends within a batch of its start costs one apply, not two. An instance of a
 * fan-out keeps its STARTED report (its end does not carry its start time into its state), and a
 * report whose token was refused folds nothing.
 */
final class FoldedStarts {
  private FoldedStarts() {}

  /** The positions in {@code inputs} of the STARTED reports that are not applied. */
  static Set<Integer> in(List<RunApplier.Input> inputs) {
    Map<String, Integer> started = new HashMap<>();
    Set<Integer> folded = new HashSet<>();
    for (int i = 0; i < inputs.size(); i++) {
      RunApplier.Input in = inputs.get(i);
      if (in.error() != null || !(in.event() instanceof EngineEvent.JobCompleted c)) {
        continue;
      }
      JobCompletion r = c.completion();
      if (r.getItem() != null) {
        continue;
      }
      String attempt = JobState.attemptId(r.getRunId(), r.getJob(), null, r.getAttempt());
      if (r.getStatus() == CompletionStatus.STARTED) {
        started.putIfAbsent(attempt, i);
      } else if (r.getStartedAt() != null) {
        Integer start = started.remove(attempt);
        if (start != null) {
          folded.add(start);
        }
      }
    }
    return folded;
  }
}
