package dev.baton.engine.topology;

/** A raw input record of the run processor, tagged with what it claims to be. */
record Inbound(Kind kind, byte[] value) {
  enum Kind {
    TRIGGER,
    COMPLETION,
    COMMAND,
    TIMER
  }
}
