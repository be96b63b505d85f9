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

  /** Whether this decision ends the run {@code before} was (its summary then goes to history). */
  public boolean ends(RunState before) {
    return state != null
        && state.status().isFinal()
        && (before == null || !before.status().isFinal());
  }

  /**
   * Each event names the input it was decided on: their order on the events topic is the order the
   * task applied its inputs ({@code baton replay} follows it).
   */
  public void causedBy(String eventId) {
    for (EngineCommand c : commands) {
      if (c instanceof EngineCommand.EmitRunEvent e) {
        e.event().setCause(eventId);
      }
    }
  }
}
