package dev.baton.engine.apply;

import dev.baton.engine.decide.Decision;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.FollowUp;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.engine.state.SaveRequest;
import dev.baton.tracing.SpanRecord;
import java.util.List;
import java.util.OptionalInt;

/** What one record leads to in {@link RunApplier}, before its save is known to have succeeded. */
public sealed interface Outcome {
  public RunApplier.Input input();

  /** The records it sends. */
  public List<OutboundRecord> out();

  /** What must follow in Redis once the outputs are written (null: nothing). */
  public FollowUp followUp();

  /** A record that cannot be read: its dead letter. */
  public record DeadLetter(RunApplier.Input input, List<OutboundRecord> out) implements Outcome {
    @Override
    public FollowUp followUp() {
      return null;
    }
  }

  /** A record applied before ({@code appliedBy}: where), to a run now {@code state}: dropped. */
  public record Duplicate(RunApplier.Input input, RunState state, String appliedBy)
      implements Outcome {
    /** A record this task applied earlier (its run is held in memory). */
    static Duplicate appliedHere(RunApplier.Input in, RunState state) {
      return new Duplicate(in, state, "this task, earlier");
    }

    @Override
    public List<OutboundRecord> out() {
      return List.of();
    }

    @Override
    public FollowUp followUp() {
      return null;
    }
  }

  /** A STARTED report whose attempt's end report follows in the same batch: not applied. */
  public record Folded(RunApplier.Input input) implements Outcome {
    @Override
    public List<OutboundRecord> out() {
      return List.of();
    }

    @Override
    public FollowUp followUp() {
      return null;
    }
  }

  /** This very record, applied before its transaction aborted: what it produced, again. */
  public record Reemit(RunApplier.Input input, List<OutboundRecord> out, FollowUp followUp)
      implements Outcome {}

  /**
   * Decided now, from the run as it was ({@code before}); {@code save}: the index of its save in
   * the batch (empty when nothing changed, or when it was applied on its own).
   */
  public record Decided(
      RunApplier.Input input,
      Decision decision,
      List<OutboundRecord> out,
      OptionalInt save,
      RunState before,
      FollowUp followUp,
      List<SpanRecord> spans)
      implements Outcome {
    static Decided of(
        RunApplier.Input input,
        Decision decision,
        List<OutboundRecord> out,
        OptionalInt save,
        RunState before,
        SaveRequest request,
        List<SpanRecord> spans) {
      return new Decided(
          input, decision, out, save, before, request == null ? null : request.followUp(), spans);
    }
  }
}
