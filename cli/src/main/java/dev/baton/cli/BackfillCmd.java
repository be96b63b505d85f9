package dev.baton.cli;

import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.RedisRunRepository;
import dev.baton.engine.triggers.TemplateCatalog;
import dev.baton.events.WorkflowTrigger;
import dev.baton.serde.RunIds;
import dev.baton.template.ParsedTemplates;
import dev.baton.template.Schedule;
import dev.baton.template.Template;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton backfill}: one run per schedule tick of a template in a time range, as its schedule
 * would have started them: the same idempotency key ({@code schedule/<template>/<tick>}), so the
 * same run id. A tick that already has a run (started by the schedule or an earlier backfill) is
 * skipped; at most {@code --max-parallel} runs go at once.
 */
@Command(
    name = "backfill",
    description =
        "Start one run per schedule tick of TEMPLATE from --from to --to (dates or instants, both"
            + " included), skipping ticks already run, at most --max-parallel at once.",
    mixinStandardHelpOptions = true)
final class BackfillCmd implements Callable<Integer> {
  /** The most ticks one backfill starts: a wider range is refused, not queued. */
  static final int MAX_TICKS = 10_000;

  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin KafkaOptions kafka;
  @Mixin RedisOptions redis;

  @Parameters(index = "0", paramLabel = "TEMPLATE")
  String templateName;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "DATE|INSTANT",
      description =
          "First tick: 2026-11-01 (that day's start, in the schedule's time zone) or an instant")
  String from;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "DATE|INSTANT",
      description = "Last tick: 2026-11-30 (the whole day) or an instant")
  String to;

  @Option(
      names = "--max-parallel",
      defaultValue = "4",
      description = "Runs going at once (default: ${DEFAULT-VALUE})")
  int maxParallel;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (maxParallel < 1) {
      throw new ParameterException(spec.commandLine(), "--max-parallel must be at least 1");
    }
    // Refused before reading the store: a malformed bound, or two dates (or two instants) out of
    // order whatever the schedule's zone.
    Instant utcStart = instant(from, "--from", ZoneOffset.UTC, false);
    Instant utcEnd = instant(to, "--to", ZoneOffset.UTC, true);
    if (isDate(from) == isDate(to)) {
      ordered(utcStart, utcEnd);
    }
    Template template = latest();
    Schedule schedule = template.schedule();
    if (schedule == null) {
      throw new ParameterException(
          spec.commandLine(),
          "template '" + templateName + "' has no schedule: nothing to backfill");
    }
    ZoneId zone = schedule.zone() == null ? ZoneOffset.UTC : schedule.zone();
    Instant start = instant(from, "--from", zone, false);
    Instant end = instant(to, "--to", zone, true);
    ordered(start, end);
    List<Instant> ticks = ticks(schedule, start, end);
    out.printf(
        "backfill %s v%d (%s): %d ticks from %s to %s, at most %d at once%n",
        template.name(),
        template.version(),
        schedule.describe(),
        ticks.size(),
        start,
        end,
        maxParallel);
    int started = 0;
    int skipped = 0;
    Set<String> going = new LinkedHashSet<>();
    List<String> mine = new ArrayList<>();
    try (RedisRunRepository runs = redis.open("backfill")) {
      for (Instant tick : ticks) {
        String key = "schedule/" + template.name() + "/" + tick.toEpochMilli();
        String runId = RunIds.forIdempotencyKey(key);
        if (runs.find(runId).isPresent()) {
          skipped++;
          out.printf("  %s  %s already run%n", tick, runId);
          continue;
        }
        awaitFewerThan(maxParallel, going, runs, out);
        WorkflowTrigger trigger =
            WorkflowTrigger.newBuilder()
                .setRunId(runId)
                .setTemplate(template.name())
                .setIdempotencyKey(key)
                .setOccurredAt(tick)
                .build();
        TriggerPublisher.publish(
            kafka.bootstrapServers(), kafka.topics().triggers(), trigger, kafka.wire());
        going.add(runId);
        mine.add(runId);
        started++;
        out.printf(
            "  %s  %s started (%d of %d; %d going)%n",
            tick, runId, started + skipped, ticks.size(), going.size());
      }
      awaitFewerThan(1, going, runs, out);
      long succeeded =
          runs.findAll(mine).stream().filter(r -> r.status().name().equals("SUCCEEDED")).count();
      out.printf(
          "backfill done: %d started (%d succeeded, %d did not), %d already run%n",
          started, succeeded, started - succeeded, skipped);
    }
    return 0;
  }

  /** Waits until fewer than {@code limit} of the runs started are still going. */
  private static void awaitFewerThan(
      int limit, Set<String> going, RedisRunRepository runs, PrintWriter out)
      throws InterruptedException {
    while (going.size() >= limit) {
      for (RunState r : runs.findAll(List.copyOf(going))) {
        if (r.status().isFinal()) {
          going.remove(r.runId());
          out.printf("  %s %s%n", r.runId(), r.status());
        }
      }
      if (going.size() >= limit) {
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
  }

  private Template latest() {
    Optional<Template> found =
        new TemplateCatalog(
                () -> TriggersCmd.readStore(kafka.bootstrapServers(), kafka.topics().templates()),
                new ParsedTemplates(
                    why ->
                        spec.commandLine()
                            .getErr()
                            .println("invalid template in the store, left out: " + why)))
            .latest().stream().filter(t -> t.name().equals(templateName)).findFirst();
    return found.orElseThrow(
        () ->
            new ParameterException(
                spec.commandLine(), "no template '" + templateName + "' has been applied"));
  }

  private void ordered(Instant start, Instant end) {
    if (end.isBefore(start)) {
      throw new ParameterException(
          spec.commandLine(), "--to (" + end + ") is before --from (" + start + ")");
    }
  }

  private static boolean isDate(String text) {
    return text.length() == 10;
  }

  private Instant instant(String text, String option, ZoneId zone, boolean endOfDay) {
    try {
      if (isDate(text)) {
        LocalDate day = LocalDate.parse(text);
        return (endOfDay ? day.plusDays(1) : day)
            .atStartOfDay(zone)
            .toInstant()
            .minusMillis(endOfDay ? 1 : 0);
      }
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new ParameterException(
          spec.commandLine(),
          option
              + " must be a date (2026-11-01) or an instant (2026-11-01T06:00:00Z), got '"
              + text
              + "'");
    }
  }

  private List<Instant> ticks(Schedule schedule, Instant start, Instant end) {
    List<Instant> ticks = new ArrayList<>();
    Instant t = schedule.next(start.minusMillis(1));
    while (t != null && !t.isAfter(end)) {
      if (ticks.size() == MAX_TICKS) {
        throw new ParameterException(
            spec.commandLine(),
            "the range holds more than "
                + MAX_TICKS
                + " ticks of "
                + schedule.describe()
                + ": backfill it in parts");
      }
      ticks.add(t);
      t = schedule.next(t);
    }
    return ticks;
  }
}
