package dev.baton.engine.triggers;

import dev.baton.concurrent.DaemonThreads;
import dev.baton.engine.state.PartitionServices;
import dev.baton.events.WorkflowTrigger;
import dev.baton.kafka.KafkaProperties;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import dev.baton.template.Schedule;
import dev.baton.template.Template;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the runs of scheduled templates. Every engine instance looks at the clock several times a
 * second; each tick's trigger carries the idempotency key {@code schedule/<template>/<tick>}, so
 * however many instances fire it, one run starts. A mark in Redis (moved forward by
 * compare-and-set) remembers the last tick handled, across restarts: a tick found more than {@link
 * #LATE} late was missed while Baton was down, and runs once if the schedule says {@code catchUp},
 * else is skipped.
 */
public final class ScheduleRunner implements AutoCloseable {
  static final Duration LATE = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleRunner.class);

  private final TemplateCatalog catalog;
  private final PartitionServices runs;
  private final Topics topics;
  private final Wire wire;
  private final Clock clock;
  private final KafkaProducer<String, byte[]> producer;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("baton-schedules"));

  public ScheduleRunner(
      String bootstrapServers,
      Map<String, String> kafka,
      Topics topics,
      Wire wire,
      TemplateCatalog catalog,
      PartitionServices runs,
      Clock clock) {
    this.catalog = catalog;
    this.runs = runs;
    this.topics = topics;
    this.wire = wire;
    this.clock = clock;
    this.producer =
        new KafkaProducer<>(
            KafkaProperties.reliableProducer(bootstrapServers, kafka),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  public ScheduleRunner start() {
    var unused = ticker.scheduleWithFixedDelay(this::tick, 200, 200, TimeUnit.MILLISECONDS);
    return this;
  }

  void tick() {
    try {
      for (Template t : catalog.latest()) {
        if (t.schedule() != null) {
          handle(t, t.schedule(), clock.instant());
        }
      }
    } catch (RuntimeException e) {
      if (!ticker.isShutdown()) { // a tick cut short by close() is not a problem to report
        LOG.warn("schedules: {}", e.toString());
      }
    }
  }

  private void handle(Template t, Schedule schedule, Instant now) {
    Instant due = schedule.previous(now);
    Instant mark = runs.scheduleMark(t.name());
    if (mark == null) {
      runs.advanceScheduleMark(t.name(), due); // first sight: start with the next tick
      return;
    }
    if (!due.isAfter(mark)) {
      return;
    }
    boolean missed = Duration.between(due, now).compareTo(LATE) > 0;
    if (!missed || schedule.catchUp()) {
      String key = "schedule/" + t.name() + "/" + due.toEpochMilli();
      WorkflowTrigger trigger =
          WorkflowTrigger.newBuilder()
              .setTemplate(t.name())
              .setIdempotencyKey(key)
              .setOccurredAt(due)
              .build();
      // Publish, and see it written, before moving the mark: a crash in between fires the same tick
      // again, which is the same run; a failed send leaves the mark for the next tick to retry.
      publish(trigger);
      LOG.info(
          "schedule of {} fired for {}{}",
          t.name(),
          due,
          missed ? " (missed while down; catchUp)" : "");
    } else {
      LOG.info(
          "schedule of {}: tick {} was missed while Baton was down; skipped (catchUp: false)",
          t.name(),
          due);
    }
    runs.advanceScheduleMark(t.name(), due);
  }

  private void publish(WorkflowTrigger trigger) {
    try {
      producer.send(TriggerRecords.keyedByRun(topics, wire, trigger)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while publishing a schedule tick", e);
    } catch (ExecutionException e) {
      throw new KafkaException("schedule tick not published", e.getCause());
    }
  }

  @Override
  public void close() {
    ticker.shutdown();
    try {
      if (!ticker.awaitTermination(2, TimeUnit.SECONDS)) {
        ticker.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ticker.shutdownNow();
    }
    producer.close();
  }
}
