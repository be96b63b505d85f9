package dev.baton.template;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * When a template starts runs by itself ({@code schedule:}): a 5-field cron expression in a time
 * zone (parsed by cron-utils, UNIX flavour), or a fixed period ({@code every}, ticks aligned to the
 * epoch). {@code catchUp}: whether a tick missed while Baton was down is run (once) or skipped.
 */
public record Schedule(String cron, ZoneId zone, Duration every, boolean catchUp) {
  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  /** Parses a cron expression; throws {@link IllegalArgumentException} with cron-utils' reason. */
  public static Cron parseCron(String expression) {
    return PARSER.parse(expression).validate();
  }

  /** The first tick strictly after {@code after}. */
  public Instant next(Instant after) {
    if (every != null) {
      long period = every.toMillis();
      return Instant.ofEpochMilli((Math.floorDiv(after.toEpochMilli(), period) + 1) * period);
    }
    return ExecutionTime.forCron(parseCron(cron))
        .nextExecution(ZonedDateTime.ofInstant(after, zone))
        .map(ZonedDateTime::toInstant)
        .orElseThrow(() -> new IllegalStateException("cron '" + cron + "' never fires"));
  }

  /** The next {@code n} ticks after {@code after}. */
  public List<Instant> next(Instant after, int n) {
    List<Instant> ticks = new ArrayList<>();
    Instant t = after;
    for (int i = 0; i < n; i++) {
      t = next(t);
      ticks.add(t);
    }
    return ticks;
  }

  /** The last tick at or before {@code at}. */
  public Instant previous(Instant at) {
    if (every != null) {
      long period = every.toMillis();
      return Instant.ofEpochMilli(Math.floorDiv(at.toEpochMilli(), period) * period);
    }
    ZonedDateTime z = ZonedDateTime.ofInstant(at, zone);
    ExecutionTime execution = ExecutionTime.forCron(parseCron(cron));
    if (execution.isMatch(z.withNano(0)) && z.getSecond() == 0 && z.getNano() == 0) {
      return at;
    }
    return execution
        .lastExecution(z)
        .map(ZonedDateTime::toInstant)
        .orElseThrow(() -> new IllegalStateException("cron '" + cron + "' never fired"));
  }

  public String describe() {
    return every != null
        ? "every " + every.toMillis() + " ms"
        : "cron '" + cron + "' (" + zone + ")";
  }
}
