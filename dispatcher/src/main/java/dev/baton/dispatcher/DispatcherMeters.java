package dev.baton.dispatcher;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * What the dispatcher did, as meters (Prometheus form): {@code
 * baton_dispatcher_dispatches_total{action}} (start, stop, repeated), {@code
 * baton_dispatcher_jobs_ended_total{status}}, {@code baton_dispatcher_start_latency_seconds}
 * (dispatch published → job handed to its runtime), {@code baton_dispatcher_jobs_running}, {@code
 * baton_dead_letters_total{stage="dispatcher",reason}}.
 */
final class DispatcherMeters {
  private final MeterRegistry registry;
  private final Timer startLatency;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  DispatcherMeters(MeterRegistry registry, IntSupplier running) {
    this.registry = registry;
    this.startLatency =
        Timer.builder("baton.dispatcher.start.latency")
            .description("From a dispatch being published to its job being started")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
    Gauge.builder("baton.dispatcher.jobs.running", running::getAsInt)
        .description("Jobs running now")
        .register(registry);
  }

  void started(long dispatchPublishedMillis) {
    dispatch("start");
    startLatency.record(
        Math.max(0, System.currentTimeMillis() - dispatchPublishedMillis), TimeUnit.MILLISECONDS);
  }

  void dispatch(String action) {
    counter("baton.dispatcher.dispatches", "action", action).increment();
  }

  void ended(String status) {
    counter("baton.dispatcher.jobs.ended", "status", status.toLowerCase(Locale.ROOT)).increment();
  }

  void deadLettered(String reason) {
    counters
        .computeIfAbsent(
            "dlq/" + reason,
            k ->
                Counter.builder("baton.dead.letters")
                    .tag("stage", "dispatcher")
                    .tag("reason", reason)
                    .register(registry))
        .increment();
  }

  private Counter counter(String name, String tag, String value) {
    return counters.computeIfAbsent(
        name + "/" + value, k -> Counter.builder(name).tag(tag, value).register(registry));
  }
}
