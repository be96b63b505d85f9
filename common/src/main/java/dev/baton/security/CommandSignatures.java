package dev.baton.security;

import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Commands only the engine writes — DELIVER (an awaited event's outputs), ADMIT (a queued run may
 * start), CACHE_LOOKUP (a cached job's lookup) — carry the engine's signature over every field it
 * reads, made with the completion key; the engine refuses one without it, so no one who can write
 * to the commands topic can finish a wait with made-up values or pass a run's quota.
 */
public final class CommandSignatures {
  /** The command types only the engine may write. */
  public static final Set<RunCommandType> ENGINE_ONLY =
      EnumSet.of(RunCommandType.DELIVER, RunCommandType.ADMIT, RunCommandType.CACHE_LOOKUP);

  private CommandSignatures() {}

  /** {@code command} with the engine's token set. */
  public static RunCommand signed(RunCommand command, AttemptTokens tokens) {
    command.setToken(tokens.forCommand(fields(command)));
    return command;
  }

  /** Whether {@code command} carries the engine's token over what it says. */
  public static boolean verified(RunCommand command, AttemptTokens tokens) {
    return tokens.verifyCommand(fields(command), command.getToken());
  }

  private static List<String> fields(RunCommand c) {
    StringBuilder values = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(c.getValues()).entrySet()) {
      values
          .append(e.getKey().length())
          .append(':')
          .append(e.getKey())
          .append(e.getValue() == null ? -1 : e.getValue().length())
          .append(':')
          .append(e.getValue() == null ? "" : e.getValue());
    }
    return Arrays.asList(
        c.getType().name(),
        c.getEventId(),
        c.getRunId(),
        c.getJob(),
        c.getAttempt() == null ? null : c.getAttempt().toString(),
        values.toString(),
        c.getSource(),
        c.getReason());
  }
}
