package dev.baton.engine.topology;

import dev.baton.engine.apply.ApplyServices;
import dev.baton.engine.apply.EngineCounters;
import dev.baton.engine.apply.Inbound;
import dev.baton.engine.apply.InboundParser;
import dev.baton.engine.apply.InputRecord;
import dev.baton.engine.apply.RunApplier;
import dev.baton.engine.apply.RunCache;
import dev.baton.engine.apply.StrayRecords;
import dev.baton.engine.apply.TemplateLookup;
import dev.baton.engine.state.FencedException;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.template.ParsedTemplates;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.errors.TaskMigratedException;
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
 * <p>Under exactly-once, the processor asks for a commit as soon as its task's input is drained, as
 * {@link CommitPacer} says: at once when records come one at a time, at most once per commit
 * interval when they come together, so each transaction then carries more records and costs less.
 * Due timers and admissions come back as input records ({@link TimerPublisher}), so every input of
 * {@code decide} is a Kafka record.
 */
final class RunProcessor implements Processor<String, Inbound, String, OutboundRecord> {
  private static final int MAX_CACHED_RUNS = 10_000;
  static final int MAX_BATCH = 500;

  private final ApplyServices services;
  private final InboundParser parser;
  private final EngineCounters counters;
  private final OwnedPartitions owned;
  private final boolean exactlyOnce;
  private final boolean applyWhenDrained;
  private final ParsedTemplates templates;
  private final TemplateFreshness templatesFresh;
  private final StrayRecords strays;
  private final List<RunApplier.Input> batch = new ArrayList<>();
  private final CommitPacer pacer;

  /** When each record of the batch was read (nanoTime), for the engine's phase timers. */
  private final long[] readAt = new long[MAX_BATCH];

  /** When the first batch applied since the last commit was applied (nanoTime); 0: none. */
  private long appliedSinceCommit;

  private ProcessorContext<String, OutboundRecord> context;
  private StreamsInternals internals;
  private RunApplier applier;

  /**
   * A task's processor, as {@code w} says: at least once, outputs leave when forwarded; exactly
   * once, it asks for a commit when the task's input is drained and its last commit is at least
   * {@code w.commitSpacing} old. {@code w.applyWhenDrained} false (tests): the batch waits for the
   * commit hook or for being full.
   */
  RunProcessor(
      EngineTopology.Wiring w, ApplyServices services, InboundParser parser, StrayRecords strays) {
    this.services = services;
    this.counters = services.counters();
    this.parser = parser;
    this.strays = strays;
    this.owned = w.owned;
    this.exactlyOnce = w.mode == ProcessingMode.EXACTLY_ONCE;
    this.pacer = new CommitPacer(w.commitSpacing);
    this.applyWhenDrained = w.applyWhenDrained;
    this.templates = w.templates;
    this.templatesFresh = w.templatesFresh;
  }

  @Override
  public void init(ProcessorContext<String, OutboundRecord> context) {
    this.context = context;
    this.internals = new StreamsInternals(context);
    StateStore store = context.getStateStore(EngineTopology.TEMPLATE_STORE);
    int partition = context.taskId().partition();
    // This task now owns the partition: writes of any earlier owner still running (a zombie) are
    // refused.
    long epoch = services.runs().claimPartition(partition);
    batch.clear();
    applier =
        new RunApplier(
            services,
            new TemplateLookup(key -> storeValue(store, key), templates, templatesFresh),
            new RunCache(MAX_CACHED_RUNS),
            partition,
            epoch);
    owned.own(partition);
    CommitHook hook = context.getStateStore(CommitHook.NAME);
    hook.onCommit(this::applyBeforeCommit, this::discard);
  }

  @Override
  public void process(Record<String, Inbound> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    InputRecord source =
        new InputRecord(
            record.key(),
            record.value(),
            record.timestamp(),
            record.headers(),
            meta.topic(),
            meta.partition(),
            meta.offset());
    long now = System.nanoTime();
    if (source.kind() == Inbound.Kind.COMPLETION) {
      counters.phase(
          "delivered",
          TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() - record.timestamp()));
    }
    InboundParser.Parsed parsed = parser.parse(source);
    String runId = parsed.event() == null ? null : parsed.event().runId();
    if (strays.stray(source, runId)) {
      // Applied here it would race its run's own task: sent on to the run's partition.
      forward(List.of(strays.sendOn(source, runId)), record.timestamp());
    } else {
      readAt[batch.size()] = now;
      batch.add(new RunApplier.Input(source, parsed.event(), parsed.eventId(), parsed.error()));
    }
    pacer.processed();
    if (batch.size() >= MAX_BATCH || (applyWhenDrained && !internals.taskHasQueuedRecords())) {
      applyBatch();
      if (exactlyOnce && pacer.commitNow()) {
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
    long start = System.nanoTime();
    for (int i = 0; i < inputs.size(); i++) {
      counters.phase("batched", start - readAt[i]);
    }
    List<List<OutboundRecord>> outputs;
    try {
      outputs = applier.apply(inputs);
    } catch (FencedException e) {
      // A newer owner claimed the partition: this task is a zombie. Streams closes it and rejoins
      // the group.
      applier.forget();
      throw new TaskMigratedException(e.getMessage(), e);
    } catch (RuntimeException e) {
      applier
          .forget(); // the batch is processed again from the last commit; memory may hold unsaved
      // decisions
      throw e;
    }
    long applied = System.nanoTime();
    counters.phase("applied", applied - start);
    if (appliedSinceCommit == 0) {
      appliedSinceCommit = applied;
    }
    for (int i = 0; i < inputs.size(); i++) {
      forward(outputs.get(i), inputs.get(i).source().timestamp());
    }
  }

  /** Before the task commits its offsets (or its transaction): nothing may stay batched. */
  private void applyBeforeCommit() {
    pacer.committing();
    if (!batch.isEmpty()) {
      internals.asProcessor(batch.get(batch.size() - 1).source().timestamp(), this::applyBatch);
    }
    if (appliedSinceCommit != 0 && exactlyOnce) {
      counters.phase("paced", System.nanoTime() - appliedSinceCommit);
    }
    appliedSinceCommit = 0;
  }

  /** The task's work since its last commit is thrown away: it will be processed again. */
  private void discard() {
    batch.clear();
    appliedSinceCommit = 0;
    applier.forget();
  }

  @SuppressWarnings("unchecked")
  private static String storeValue(StateStore store, String key) {
    Object value = ((KeyValueStore<String, Object>) store).get(key);
    return value instanceof ValueAndTimestamp<?> vt ? (String) vt.value() : (String) value;
  }

  @Override
  public void close() {
    owned.disown(context.taskId().partition());
  }

  private void forward(List<OutboundRecord> out, long timestamp) {
    for (OutboundRecord o : out) {
      Record<String, OutboundRecord> r = new Record<>(o.key(), o, timestamp);
      o.headers().forEach((k, v) -> r.headers().add(k, v));
      context.forward(r);
    }
  }
}
