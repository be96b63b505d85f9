package dev.baton.engine.topology;

import dev.baton.engine.state.FencedException;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.engine.state.RunRepository;
import dev.baton.events.TimerFired;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The Kafka Streams shell around {@link RunApplier}: parse each record, batch it, and apply the
 * batch (load → decide → save → forward, design §7) when the task has no more records queued, when
 * the batch is full, and before every commit. Outputs are forwarded only after the saves they
 * depend on are written, in both processing modes, so Redis is always ahead of Kafka.
 *
 * <p>Under exactly-once, the processor asks for a commit as soon as its task's input is drained,
 * unless the task committed less than a commit interval ago (then the interval commit takes it): a
 * step at low load waits for one transaction, not for the commit interval, and under load
 * transactions are at least an interval apart, so each carries more records and costs less. A punctuator turns due timers and
 * admissions into input records, so every input of {@code decide} is a Kafka record.
 */
final class RunProcessor implements Processor<String, Inbound, String, OutboundRecord> {
  private static final Duration LEASE = Duration.ofSeconds(10);
  private static final int MAX_CACHED_RUNS = 10_000;
  static final int MAX_BATCH = 500;

  private final RunRepository runs;
  private final InboundParser parser;
  private final Outbounds outbounds;
  private final EngineCounters counters;
  private final String templateStoreName;
  private final Duration tick;
  private final boolean exactlyOnce;
  private final boolean applyWhenDrained;
  private final List<RunApplier.Input> batch = new ArrayList<>();
  private final long commitSpacingNanos;
  private long lastCommitNanos;
  private ProcessorContext<String, OutboundRecord> context;
  private StreamsInternals internals;
  private RunApplier applier;

  /**
   * {@code commitSpacing}: null at least once (outputs leave when forwarded); exactly once, ask for a
   * commit when the task's input is drained and its last commit is at least this old.
   * {@code applyWhenDrained} false (tests): the batch waits for the commit hook or for being full.
   */
  RunProcessor(RunRepository runs, InboundParser parser, Outbounds outbounds, EngineCounters counters, String templateStoreName,
      Duration tick, Duration commitSpacing, boolean applyWhenDrained) {
    this.exactlyOnce = commitSpacing != null;
    this.commitSpacingNanos = commitSpacing == null ? 0 : commitSpacing.toNanos();
    this.applyWhenDrained = applyWhenDrained;
    this.runs = runs;
    this.parser = parser;
    this.outbounds = outbounds;
    this.counters = counters;
    this.templateStoreName = templateStoreName;
    this.tick = tick;
  }

  @Override
  public void init(ProcessorContext<String, OutboundRecord> context) {
    this.context = context;
    this.internals = new StreamsInternals(context);
    StateStore store = context.getStateStore(templateStoreName);
    int partition = context.taskId().partition();
    // This task now owns the partition: writes of any earlier owner still running (a zombie) are refused.
    long epoch = runs.claimPartition(partition);
    batch.clear();
    applier = new RunApplier(runs, new TemplateLookup(key -> storeValue(store, key)), outbounds, counters, new RunCache(MAX_CACHED_RUNS),
        partition, epoch);
    context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    CommitHook hook = context.getStateStore(CommitHook.NAME);
    hook.onCommit(this::applyBeforeCommit, this::discard);
  }

  @Override
  public void process(Record<String, Inbound> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    InputRecord source = new InputRecord(record, meta.topic(), meta.partition(), meta.offset());
    InboundParser.Parsed parsed = parser.parse(source);
    batch.add(new RunApplier.Input(source, parsed.event(), parsed.eventId(), parsed.error()));
    if (batch.size() >= MAX_BATCH || applyWhenDrained && !internals.taskHasQueuedRecords()) {
      applyBatch();
      if (exactlyOnce && System.nanoTime() - lastCommitNanos >= commitSpacingNanos) {
        context.commit();
      }
    }
  }

  /** Applies the batch and forwards its outputs, each with its input's timestamp. */
  private void applyBatch() {
    if (batch.isEmpty()) {
      return;
    }
    List<RunApplier.Input> inputs = List.copyOf(batch);
    batch.clear();
    List<List<OutboundRecord>> outputs;
    try {
      outputs = applier.apply(inputs);
    } catch (FencedException e) {
      // A newer owner claimed the partition: this task is a zombie. Streams closes it and rejoins the group.
      applier.forget();
      throw new TaskMigratedException(e.getMessage(), e);
    } catch (RuntimeException e) {
      applier.forget(); // the batch is processed again from the last commit; memory may hold unsaved decisions
      throw e;
    }
    for (int i = 0; i < inputs.size(); i++) {
      forward(outputs.get(i), inputs.get(i).source().timestamp());
    }
  }

  /** Before the task commits its offsets (or its transaction): nothing may stay batched. */
  private void applyBeforeCommit() {
    lastCommitNanos = System.nanoTime();
    if (!batch.isEmpty()) {
      internals.asProcessor(batch.get(batch.size() - 1).source().timestamp(), this::applyBatch);
    }
  }

  /** The task's work since its last commit is thrown away: it will be processed again. */
  private void discard() {
    batch.clear();
    applier.forget();
  }

  @SuppressWarnings("unchecked")
  private static String storeValue(StateStore store, String key) {
    Object value = ((KeyValueStore<String, Object>) store).get(key);
    return value instanceof ValueAndTimestamp<?> vt ? (String) vt.value() : (String) value;
  }

  /** Due timers of this task's partition, and admissions, become records on the engine's own topics. */
  private void punctuate(long wallClock) {
    Instant now = Instant.ofEpochMilli(wallClock);
    boolean forwarded = false;
    for (TimerFired timer : runs.leaseDueTimers(context.taskId().partition(), now, 500, LEASE)) {
      OutboundRecord out = outbounds.timer(timer);
      context.forward(new Record<>(out.key(), out, wallClock));
      forwarded = true;
    }
    for (String runId : runs.leaseAdmissions(now, LEASE)) {
      OutboundRecord out = outbounds.admit(runId, now);
      context.forward(new Record<>(out.key(), out, wallClock));
      forwarded = true;
    }
    if (forwarded && exactlyOnce) {
      context.commit();
    }
  }

  private void forward(List<OutboundRecord> out, long timestamp) {
    for (OutboundRecord o : out) {
      Record<String, OutboundRecord> r = new Record<>(o.key(), o, timestamp);
      o.headers().forEach((k, v) -> r.headers().add(k, v));
      context.forward(r);
    }
  }
}
