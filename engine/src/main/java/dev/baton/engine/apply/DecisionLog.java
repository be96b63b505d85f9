package dev.baton.engine.apply;

import dev.baton.engine.decide.Decision;
import dev.baton.engine.decide.EngineCommand;
import dev.baton.events.RunEventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the engine logs and counts of each decision it applies. */
public final class DecisionLog {
  private static final Logger LOG = LoggerFactory.getLogger(RunApplier.class);

  private DecisionLog() {}

  /**
   * Per-decision detail at DEBUG; at INFO only what an operator follows: a run that starts or ends,
   * and a record that is rejected.
   */
  public static void log(EngineCounters counters, RunApplier.Input in, Decision decision) {
    counters.applied.incrementAndGet();
    for (EngineCommand c : decision.commands()) {
      if (c instanceof EngineCommand.Reject r) {
        counters.deadLettered(r.reason());
        LOG.info("run {}: {} rejected: {}", in.runId(), in.eventId(), r.reason());
      } else if (c instanceof EngineCommand.RefuseTrigger r) {
        counters.deadLettered(r.reason());
        LOG.info("run {}: {} refused: {}", in.runId(), in.eventId(), r.reason());
      } else if (c instanceof EngineCommand.Ignore) {
        counters.ignored.incrementAndGet();
        LOG.debug("run {}: {}", in.runId(), c);
      } else if (c instanceof EngineCommand.EmitRunEvent e
          && followedByOperators(e.event().getType())) {
        LOG.info(
            "run {} {}{}",
            in.runId(),
            e.event().getType(),
            e.event().getDetail() == null ? "" : ": " + e.event().getDetail());
      }
    }
    if (LOG.isDebugEnabled()) {
      String status = decision.state() == null ? "none" : decision.state().status().name();
      LOG.debug(
          "run {} applied {} -> status {}, {} commands, {}",
          in.runId(),
          in.eventId(),
          status,
          decision.commands().size(),
          decision.transitions());
    }
  }

  /** Runs starting, queueing and ending, and jobs failing: the lifecycle changes logged at INFO. */
  private static boolean followedByOperators(RunEventType type) {
    return type.name().startsWith("RUN_") || type == RunEventType.JOB_FAILED;
  }
}
