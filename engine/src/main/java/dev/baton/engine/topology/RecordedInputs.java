package dev.baton.engine.topology;

import dev.baton.engine.apply.Inbound;
import dev.baton.engine.apply.InboundParser;
import dev.baton.engine.apply.InputRecord;
import dev.baton.engine.decide.EngineEvent;
import dev.baton.events.WorkflowTrigger;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.EventCodec;
import dev.baton.serde.RunIds;
import dev.baton.serde.Wire;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Reads records of the engine's input topics as the engine does, for {@code baton replay}: the run
 * a trigger starts, and the event (and event id) each record is, or why the engine refuses it.
 */
public final class RecordedInputs {
  private final InboundParser parser;
  private final EventCodec<WorkflowTrigger> triggers;

  /** What one input record is: {@code event} null when the engine refuses it ({@code refused}). */
  public record Parsed(EngineEvent event, String eventId, String refused) {}

  /** The kinds of input the run processor reads. */
  public enum Kind {
    TRIGGER,
    COMPLETION,
    COMMAND,
    TIMER
  }

  /** {@code tokens}: the engine's key, to refuse what it refused; null: tokens are not checked. */
  public RecordedInputs(Wire wire, AttemptTokens tokens) {
    this.parser = new InboundParser(wire, tokens);
    this.triggers = EventCodec.of(WorkflowTrigger.class, wire);
  }

  /**
   * The run a trigger record starts (its run id, as the engine derives it), or null if unreadable.
   */
  public String runOfTrigger(byte[] value, int partition, long offset, long timestamp) {
    WorkflowTrigger trigger;
    try {
      trigger = value == null ? null : triggers.decode(value);
    } catch (RuntimeException e) {
      return null;
    }
    return trigger == null ? null : RunIds.of(trigger, partition, offset, timestamp);
  }

  /** The event a record is; {@code key}: the run id (for a trigger, from {@link #runOfTrigger}). */
  public Parsed parse(
      Kind kind,
      String key,
      byte[] value,
      String topic,
      int partition,
      long offset,
      long timestamp) {
    Inbound inbound = new Inbound(Inbound.Kind.valueOf(kind.name()), value);
    InboundParser.Parsed p =
        parser.parse(
            new InputRecord(
                key, inbound, timestamp, new RecordHeaders(), topic, partition, offset));
    return new Parsed(p.event(), p.eventId(), p.error());
  }
}
