package dev.baton.engine.decide;

import java.util.List;

/**
 * The result of {@link Decider#decide}: the new state (null when there is no run), the commands to
 * carry out, and the state-machine rows it used ({@link Transitions}).
 */
public record Decision(RunState state, List<EngineCommand> commands, List<String> transitions) {
  public Decision {
    commands = List.copyOf(commands);
    transitions = List.copyOf(transitions);
  }
}
