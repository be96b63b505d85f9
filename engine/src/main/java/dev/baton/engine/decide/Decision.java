package dev.baton.engine.decide;

import java.util.List;

/** The result of {@link Decider#decide}: the new state (null when there is no run) and the commands to carry out. */
public record Decision(RunState state, List<EngineCommand> commands) {
  public Decision {
    commands = List.copyOf(commands);
  }
}
