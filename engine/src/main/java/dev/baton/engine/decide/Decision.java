package dev.baton.engine.decide;

import java.util.List;
import java.util.Set;

/**
 * The result of {@link Decider#decide}: the new state (null when there is no run), the commands to
 * carry out, and the state-machine rows it used ({@link Transitions}). When {@code artifactsToRead}
 * is not empty the decision is incomplete: a {@code forEach} needs the items of those artifacts,
 * and the decision is to be made again with them.
 */
public record Decision(
    RunState state,
    List<EngineCommand> commands,
    List<String> transitions,
    Set<String> artifactsToRead) {
  public Decision {
    commands = List.copyOf(commands);
    transitions = List.copyOf(transitions);
    artifactsToRead = Set.copyOf(artifactsToRead);
  }

  public Decision(RunState state, List<EngineCommand> commands, List<String> transitions) {
    this(state, commands, transitions, Set.of());
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
