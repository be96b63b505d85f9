package dev.baton.engine.topology;

import dev.baton.engine.decide.EngineCommand;
import dev.baton.events.DispatchAction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What the engine did, counted: for logs, tests, the benchmark and {@code /metrics}. Meter names
 * (Prometheus form): {@code baton_runs_started_total}, {@code baton_runs_ended_total{outcome}},
 * {@code baton_jobs_dispatched_total}, {@code baton_jobs_ended_total{outcome}},
 * {@code baton_dead_letters_total{stage,reason}}, {@code baton_step_transition_seconds} (a
 * completion's publication to the next dispatch it causes, histogram),
 * {@code baton_redis_round_trip_seconds{op}}, {@code baton_engine_events_total{result}}.
 */
public final class EngineCounters {
  final AtomicLong applied = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
  final AtomicLong reemitted = new AtomicLong();
  final AtomicLong casConflicts = new AtomicLong();
  final AtomicLong deadLettered = new AtomicLong();
  final AtomicLong ignored = new AtomicLong();

  private final MeterRegistry registry;
  private final Counter runsStarted;
  private final Counter jobsDispatched;
  private final Timer transitions;
  private final Map<String, Counter> tagged = new ConcurrentHashMap<>();
  private final Map<String, Timer> redis = new ConcurrentHashMap<>();

  public EngineCounters() {
    this(new SimpleMeterRegistry());
  }

  public EngineCounters(MeterRegistry registry) {
    this.registry = registry;
    runsStarted = Counter.builder("baton.runs.started").description("Runs started").register(registry);
    jobsDispatched = Counter.builder("baton.jobs.dispatched").description("Job attempts dispatched").register(registry);
    transitions = Timer.builder("baton.step.transition")
        .description("From a job's completion being published to the dispatch of the next job it caused")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    Map.of("applied", applied, "duplicate", duplicates, "reemitted", reemitted, "conflict", casConflicts, "ignored", ignored)
        .forEach((result, count) -> FunctionCounter.builder("baton.engine.events", count, AtomicLong::get)
            .description("Events the engine read, by what it did with them").tag("result", result).register(registry));
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Valid events that changed nothing: a stale or repeated completion, a cancel of an ended run. */
  public long ignored() {
    return ignored.get();
  }

  public long applied() {
    return applied.get();
  }

  /** Events dropped because another record had already applied the same event id. */
  public long duplicates() {
    return duplicates.get();
  }

  /** Records re-emitted for an event whose earlier transaction aborted after Redis was written. */
  public long reemitted() {
    return reemitted.get();
  }

  public long casConflicts() {
    return casConflicts.get();
  }

  public long deadLettered() {
    return deadLettered.get();
  }

  /** A record went to the dead-letter topic; {@code reason} is reduced to a short code for the tag. */
  void deadLettered(String reason) {
    deadLettered.incrementAndGet();
    tagged.computeIfAbsent("dlq/" + DeadLetterReasons.code(reason), k -> Counter.builder("baton.dead.letters")
        .description("Records sent to the dead-letter topic").tag("stage", "engine").tag("reason", DeadLetterReasons.code(reason))
        .register(registry)).increment();
  }

  /** Counts what a decision emits; for a completion that dispatches a next job, the transition's latency. */
  void decided(List<EngineCommand> commands, boolean fromCompletion, long completionPublishedMillis) {
    boolean dispatched = false;
    for (EngineCommand c : commands) {
      if (c instanceof EngineCommand.DispatchJob d && d.dispatch().getAction() == DispatchAction.START) {
        dispatched = true;
      } else if (c instanceof EngineCommand.EmitRunEvent e) {
        switch (e.event().getType()) {
          case RUN_STARTED -> runsStarted.increment();
          case JOB_DISPATCHED -> jobsDispatched.increment();
          case RUN_SUCCEEDED -> outcome("baton.runs.ended", "Runs ended, by outcome", "succeeded");
          case RUN_FAILED -> outcome("baton.runs.ended", "Runs ended, by outcome", "failed");
          case RUN_CANCELLED -> outcome("baton.runs.ended", "Runs ended, by outcome", "cancelled");
          case JOB_SUCCEEDED -> outcome("baton.jobs.ended", "Job attempts ended, by outcome", "succeeded");
          case JOB_FAILED -> outcome("baton.jobs.ended", "Job attempts ended, by outcome", "failed");
          case JOB_RETRYING -> outcome("baton.jobs.ended", "Job attempts ended, by outcome", "retrying");
          case JOB_CANCELLED -> outcome("baton.jobs.ended", "Job attempts ended, by outcome", "cancelled");
          case JOB_SKIPPED -> outcome("baton.jobs.ended", "Job attempts ended, by outcome", "skipped");
          default -> { }
        }
      }
    }
    if (dispatched && fromCompletion) {
      transitions.record(Math.max(0, System.currentTimeMillis() - completionPublishedMillis), TimeUnit.MILLISECONDS);
    }
  }

  private void outcome(String name, String description, String outcome) {
    tagged.computeIfAbsent(name + "/" + outcome, k -> Counter.builder(name).description(description).tag("outcome", outcome)
        .register(registry)).increment();
  }

  /** Times one call to Redis, by operation. */
  <T> T timeRedis(String op, Supplier<T> call) {
    long start = System.nanoTime();
    try {
      return call.get();
    } finally {
      redis.computeIfAbsent(op, o -> Timer.builder("baton.redis.round.trip").description("Calls to Redis, by operation")
          .tag("op", o).publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(50_000))
          .maximumExpectedValue(Duration.ofSeconds(5)).register(registry)).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }
}
