package dev.baton.engine.apply;

import dev.baton.engine.decide.EngineCommand;
import dev.baton.events.DispatchAction;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What the engine did, counted: for logs, tests, the benchmark and {@code /metrics}. Meter names
 * (Prometheus form): {@code baton_runs_started_total}, {@code baton_runs_ended_total{outcome}},
 * {@code baton_jobs_dispatched_total}, {@code baton_jobs_ended_total{outcome}}, {@code
 * baton_dead_letters_total{stage,reason}}, {@code baton_step_transition_seconds} (a completion's
 * publication to the next dispatch it causes, histogram), {@code
 * baton_redis_round_trip_seconds{op}}, {@code baton_engine_events_total{result}}.
 */
public final class EngineCounters {
  final AtomicLong applied = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
  final AtomicLong reemitted = new AtomicLong();
  final AtomicLong casConflicts = new AtomicLong();
  final AtomicLong deadLettered = new AtomicLong();
  final AtomicLong ignored = new AtomicLong();
  final AtomicLong rerouted = new AtomicLong();

  /** STARTED reports not applied: their attempt's end report followed in the same batch. */
  final AtomicLong folded = new AtomicLong();

  private final MeterRegistry registry;
  private final Counter runsStarted;
  private final Counter jobsDispatched;
  private final Timer transitions;
  private final Map<RunEventType, Counter> byEvent;
  private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
  private final Map<String, Timer> redis = new ConcurrentHashMap<>();
  private final Map<String, Timer> phases = new ConcurrentHashMap<>();

  public EngineCounters() {
    this(new SimpleMeterRegistry());
  }

  public EngineCounters(MeterRegistry registry) {
    this.registry = registry;
    runsStarted =
        Counter.builder("baton.runs.started").description("Runs started").register(registry);
    jobsDispatched =
        Counter.builder("baton.jobs.dispatched")
            .description("Job attempts dispatched")
            .register(registry);
    byEvent = eventCounters(registry, runsStarted, jobsDispatched);
    transitions =
        Timer.builder("baton.step.transition")
            .description(
                "From a job's completion being published to the dispatch of the next job it caused")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    Map.of(
            "applied",
            applied,
            "duplicate",
            duplicates,
            "reemitted",
            reemitted,
            "conflict",
            casConflicts,
            "ignored",
            ignored,
            "rerouted",
            rerouted,
            "folded",
            folded)
        .forEach(
            (result, count) ->
                FunctionCounter.builder("baton.engine.events", count, AtomicLong::get)
                    .description("Events the engine read, by what it did with them")
                    .tag("result", result)
                    .register(registry));
  }

  /** STARTED reports not applied because their attempt's end report followed in the batch. */
  public long folded() {
    return folded.get();
  }

  /** Records sent on to their run's partition (they had arrived on another). */
  public long rerouted() {
    return rerouted.get();
  }

  public MeterRegistry registry() {
    return registry;
  }

  /**
   * Valid events that changed nothing: a stale or repeated completion, a cancel of an ended run.
   */
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

  /**
   * A record went to the dead-letter topic; {@code reason} is reduced to a short code for the tag.
   */
  public void deadLettered(String reason) {
    deadLettered.incrementAndGet();
    String code = DeadLetterReasons.code(reason);
    deadLetters
        .computeIfAbsent(
            code,
            k ->
                Counter.builder("baton.dead.letters")
                    .description("Records sent to the dead-letter topic")
                    .tag("stage", "engine")
                    .tag("reason", code)
                    .register(registry))
        .increment();
  }

  /**
   * Counts what a decision emits; for a completion that dispatches a next job, the transition's
   * latency.
   */
  public void decided(
      List<EngineCommand> commands, boolean fromCompletion, long completionPublishedMillis) {
    boolean dispatched = false;
    for (EngineCommand c : commands) {
      if (c instanceof EngineCommand.DispatchJob d
          && d.dispatch().getAction() == DispatchAction.START) {
        dispatched = true;
      } else if (c instanceof EngineCommand.EmitRunEvent e) {
        Counter counter = byEvent.get(e.event().getType());
        if (counter != null) {
          counter.increment();
        }
        tenantRuns(e.event());
      }
    }
    if (dispatched && fromCompletion) {
      transitions.record(
          Math.max(0, System.currentTimeMillis() - completionPublishedMillis),
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * The counter each lifecycle event adds to: runs started and ended, jobs dispatched and ended, by
   * outcome.
   */
  private static Map<RunEventType, Counter> eventCounters(
      MeterRegistry registry, Counter runsStarted, Counter jobsDispatched) {
    Map<RunEventType, Counter> m = new EnumMap<>(RunEventType.class);
    m.put(RunEventType.RUN_STARTED, runsStarted);
    m.put(RunEventType.JOB_DISPATCHED, jobsDispatched);
    Map.of(
            RunEventType.RUN_SUCCEEDED,
            "succeeded",
            RunEventType.RUN_FAILED,
            "failed",
            RunEventType.RUN_CANCELLED,
            "cancelled")
        .forEach(
            (type, outcome) ->
                m.put(
                    type,
                    Counter.builder("baton.runs.ended")
                        .description("Runs ended, by outcome")
                        .tag("outcome", outcome)
                        .register(registry)));
    Map.of(
            RunEventType.JOB_SUCCEEDED,
            "succeeded",
            RunEventType.JOB_FAILED,
            "failed",
            RunEventType.JOB_RETRYING,
            "retrying",
            RunEventType.JOB_CANCELLED,
            "cancelled",
            RunEventType.JOB_SKIPPED,
            "skipped")
        .forEach(
            (type, outcome) ->
                m.put(
                    type,
                    Counter.builder("baton.jobs.ended")
                        .description("Job attempts ended, by outcome")
                        .tag("outcome", outcome)
                        .register(registry)));
    Map.of(RunEventType.RUN_SLA_MISSED, "run", RunEventType.JOB_SLA_MISSED, "job")
        .forEach(
            (type, of) ->
                m.put(
                    type,
                    Counter.builder("baton.sla.missed")
                        .description("Runs and jobs still going past their sla")
                        .tag("of", of)
                        .register(registry)));
    return m;
  }

  private final Map<Boolean, Counter> cacheLookups = new ConcurrentHashMap<>();

  /** A cached job's lookup found a kept result ({@code hit}) or none. */
  public void cacheLookup(boolean hit) {
    cacheLookups
        .computeIfAbsent(
            hit,
            h ->
                Counter.builder("baton.cache.lookups")
                    .description("Lookups of cached jobs' results, by whether one was kept")
                    .tag("result", h ? "hit" : "miss")
                    .register(registry))
        .increment();
  }

  /** Most tenants with series of their own; runs of more tenants count as "other". */
  public static final int MAX_TENANT_SERIES = 200;

  private final Map<String, Counter> tenantCounters = new ConcurrentHashMap<>();

  /** Runs started and ended, by tenant and event. */
  private void tenantRuns(RunEvent e) {
    String event =
        switch (e.getType()) {
          case RUN_STARTED -> "started";
          case RUN_SUCCEEDED -> "succeeded";
          case RUN_FAILED -> "failed";
          case RUN_CANCELLED -> "cancelled";
          default -> null;
        };
    if (event == null) {
      return;
    }
    String tenant = e.getTenant() == null ? "default" : e.getTenant();
    if (!tenantCounters.containsKey(tenant + "/" + event)
        && tenantCounters.size() >= MAX_TENANT_SERIES * 4) {
      tenant = "other";
    }
    String t = tenant;
    tenantCounters
        .computeIfAbsent(
            t + "/" + event,
            k ->
                Counter.builder("baton.tenant.runs")
                    .description("Runs started and ended, by tenant")
                    .tag("tenant", t)
                    .tag("event", event)
                    .register(registry))
        .increment();
  }

  /** Times one call to Redis, by operation. */
  /**
   * Time one input record spent in a phase of the engine's pass ({@code
   * baton_engine_phase_seconds{phase}}): {@code delivered} (published to read by the stream
   * thread), {@code batched} (read to its batch applied), {@code applied} (a batch loaded, decided
   * and saved), {@code paced} (a batch applied to its commit starting; exactly once). The benchmark
   * reads them to account for a step's milliseconds.
   */
  public void phase(String phase, long nanos) {
    phases
        .computeIfAbsent(
            phase,
            p ->
                Timer.builder("baton.engine.phase")
                    .description("Time in each phase of the engine's pass over an input record")
                    .tag("phase", p)
                    .register(registry))
        .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  public <T> T timeRedis(String op, Supplier<T> call) {
    long start = System.nanoTime();
    try {
      return call.get();
    } finally {
      redis
          .computeIfAbsent(
              op,
              o ->
                  Timer.builder("baton.redis.round.trip")
                      .description("Calls to Redis, by operation")
                      .tag("op", o)
                      .publishPercentileHistogram()
                      .minimumExpectedValue(Duration.ofNanos(50_000))
                      .maximumExpectedValue(Duration.ofSeconds(5))
                      .register(registry))
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }
}
