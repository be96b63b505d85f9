package dev.baton.engine.decide;

import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A cached step's lookup (a CACHE_LOOKUP command) answered by whoever holds the results: the engine
 * from the result cache, {@code baton replay} from the recorded events. What the command carried in
 * its values and source is dropped, so a command written by anyone else cannot make up a result.
 */
public final class CacheLookups {
  private CacheLookups() {}

  /** A stored result: its outputs, and where it came from. */
  public record Hit(Map<String, String> values, String source) {}

  /**
   * {@code event} with a lookup's answer from {@code results} (empty: a miss); any other event as
   * it is.
   */
  public static EngineEvent answer(EngineEvent event, Function<RunCommand, Optional<Hit>> results) {
    if (!(event instanceof EngineEvent.CommandReceived c)
        || c.command().getType() != RunCommandType.CACHE_LOOKUP) {
      return event;
    }
    RunCommand answer = RunCommand.newBuilder(c.command()).build();
    answer.setValues(Map.of());
    answer.setSource(null);
    results
        .apply(c.command())
        .ifPresent(
            hit -> {
              answer.setValues(hit.values());
              answer.setSource(hit.source());
            });
    return new EngineEvent.CommandReceived(c.runId(), answer);
  }
}
