package dev.baton.engine.topology;

/**
 * How the engine's topology processes: each input's outputs and state change exactly once, or at
 * least once.
 */
public enum ProcessingMode {
  EXACTLY_ONCE,
  AT_LEAST_ONCE
}
