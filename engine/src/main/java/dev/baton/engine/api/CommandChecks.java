package dev.baton.engine.api;

import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.RunCommandType;

/** Commands through the API that the engine would refuse, refused at once with a 409. */
final class CommandChecks {
  private CommandChecks() {}

  /**
   * A cancel of a run that has ended, or a retry of one that did not fail, would be refused by the
   * engine: say so now.
   */
  static void refuseWhatWouldNotApply(RunState run, RunCommandType type) {
    boolean ended =
        run.status() == RunStatus.SUCCEEDED
            || run.status() == RunStatus.FAILED
            || run.status() == RunStatus.CANCELLED;
    if (type == RunCommandType.CANCEL && ended) {
      throw new ApiException(
          409,
          "run '"
              + run.runId()
              + "' has already ended "
              + run.status()
              + "; there is nothing to cancel");
    }
    if (type == RunCommandType.RETRY && run.status() != RunStatus.FAILED) {
      throw new ApiException(
          409, "only a FAILED run can be retried; run '" + run.runId() + "' is " + run.status());
    }
  }
}
