package dev.baton.engine.state;

import dev.baton.engine.decide.RunState;

/**
 * A run as loaded: its state (null when the run does not exist), the CAS version, and whether the
 * event was applied.
 */
public record StoredRun(RunState state, long version, AppliedEvent applied) {}
