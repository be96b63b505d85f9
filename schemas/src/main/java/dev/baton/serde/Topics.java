package dev.baton.serde;

import java.util.List;

/**
 * Baton's topic names (design §3). {@code prefix} "baton" gives the defaults: baton.triggers, ...
 * {@code timers} is the engine's internal topic of due timers (design §5); {@code correlations} its
 * topic where awaited events meet the wait steps waiting for them, keyed by correlation key. {@code
 * history} keeps each ended run's summary, keyed by run id (compacted, then deleted after its
 * retention), so a run is still found after it left Redis.
 */
public record Topics(
    String triggers,
    String completions,
    String commands,
    String dispatch,
    String events,
    String templates,
    String dlq,
    String timers,
    String correlations,
    String history) {

  public static Topics withPrefix(String prefix) {
    return new Topics(
        prefix + ".triggers",
        prefix + ".completions",
        prefix + ".commands",
        prefix + ".dispatch",
        prefix + ".events",
        prefix + ".templates",
        prefix + ".dlq",
        prefix + ".timers",
        prefix + ".correlations",
        prefix + ".history");
  }

  public static Topics defaults() {
    return withPrefix("baton");
  }

  /** Every topic but the template store and the run history, which are compacted. */
  public List<String> eventTopics() {
    return List.of(triggers, completions, commands, dispatch, events, dlq, timers, correlations);
  }
}
