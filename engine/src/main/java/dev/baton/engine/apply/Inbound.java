package dev.baton.engine.apply;

import dev.baton.events.WorkflowTrigger;

/**
 * A raw input record of the run processor, tagged with what it claims to be; {@code trigger}: the
 * trigger already decoded when it was keyed on this task (null otherwise: read from {@code value}).
 */
public record Inbound(Kind kind, byte[] value, WorkflowTrigger trigger) {
  public enum Kind {
    TRIGGER,
    COMPLETION,
    COMMAND,
    TIMER
  }

  public Inbound(Kind kind, byte[] value) {
    this(kind, value, null);
  }
}
