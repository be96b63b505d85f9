package dev.baton.engine.topology;

import dev.baton.engine.decide.Decider;
import dev.baton.engine.decide.Decision;
import dev.baton.engine.decide.EngineCommand;
import dev.baton.engine.decide.EngineEvent;
import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.AppliedEvent;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.engine.state.RunRepository;
import dev.baton.engine.state.SaveRequest;
import dev.baton.engine.state.StoredRun;
import dev.baton.engine.template.Template;
import dev.baton.events.RunCommandType;
import dev.baton.events.TimerFired;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The shell around {@link Decider}, in this order (design §7): parse → load the run → (already
 * applied? re-emit or drop) → load the fan-out instances the decision needs → decide → save
 * atomically with a version CAS → forward. Forwarded records are committed in the task's Kafka
 * transaction; Redis is written before it, so a transaction that aborts after the save is repaired
 * by re-emitting what the save recorded. A punctuator turns due timers and admissions into input
 * records, so every input of {@code decide} is a Kafka record.
 */
final class RunProcessor implements Processor<String, Inbound, String, OutboundRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(RunProcessor.class);
  private static final int MAX_CAS_ATTEMPTS = 20;
  private static final Duration LEASE = Duration.ofSeconds(10);

  private final RunRepository runs;
  private final InboundParser parser;
  private final Outbounds outbounds;
  private final EngineCounters counters;
  private final String templateStoreName;
  private final Duration tick;
  private ProcessorContext<String, OutboundRecord> context;
  private TemplateLookup templates;
  private long epoch;

  RunProcessor(RunRepository runs, InboundParser parser, Outbounds outbounds, EngineCounters counters, String templateStoreName,
      Duration tick) {
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
    org.apache.kafka.streams.processor.StateStore store = context.getStateStore(templateStoreName);
    this.templates = new TemplateLookup(key -> storeValue(store, key));
    // This task now owns the partition: writes of any earlier owner still running (a zombie) are refused.
    this.epoch = runs.claimPartition(context.taskId().partition());
    context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  @SuppressWarnings("unchecked")
  private static String storeValue(org.apache.kafka.streams.processor.StateStore store, String key) {
    Object value = ((org.apache.kafka.streams.state.KeyValueStore<String, Object>) store).get(key);
    return value instanceof ValueAndTimestamp<?> vt ? (String) vt.value() : (String) value;
  }

  /** Due timers of this task's partition, and admissions, become records on the engine's own topics. */
  private void punctuate(long wallClock) {
    Instant now = Instant.ofEpochMilli(wallClock);
    for (TimerFired timer : runs.leaseDueTimers(context.taskId().partition(), now, 500, LEASE)) {
      OutboundRecord out = outbounds.timer(timer);
      context.forward(new Record<>(out.key(), out, wallClock));
    }
    for (String runId : runs.leaseAdmissions(now, LEASE)) {
      OutboundRecord out = outbounds.admit(runId, now);
      context.forward(new Record<>(out.key(), out, wallClock));
    }
  }

  @Override
  public void process(Record<String, Inbound> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    InboundParser.Parsed parsed = parser.parse(record, meta);
    if (parsed.error() != null) {
      counters.deadLettered.incrementAndGet();
      LOG.warn("dead-lettered {} from {}-{}@{}: {}", record.value().kind(), meta.topic(), meta.partition(), meta.offset(), parsed.error());
      forward(outbounds.of(List.of(new EngineCommand.Reject(parsed.error())), record, meta), record);
      return;
    }
    EngineEvent event = parsed.event();
    MDC.put("runId", event.runId());
    try {
      apply(record, meta, event, parsed.eventId());
    } finally {
      MDC.remove("runId");
    }
  }

  private void apply(Record<String, Inbound> record, RecordMetadata meta, EngineEvent event, String eventId) {
    for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      StoredRun stored = runs.load(event.runId(), eventId);
      if (stored.applied() != null) {
        replayOrDrop(record, meta, event, eventId, stored);
        return;
      }
      Template template = templateFor(event, stored.state());
      RunState before = stored.state();
      Needs.ItemQuery needs = Needs.of(before, event, template);
      if (before != null && !needs.isEmpty()) {
        before = before.withItems(runs.loadItems(event.runId(), needs));
      }
      Instant now = Instant.ofEpochMilli(record.timestamp());
      Decision decision = Decider.decide(before, event, template, now);
      List<OutboundRecord> out = outbounds.of(decision.commands(), record, meta);
      boolean changed = decision.state() != null && !decision.state().equals(before);
      if (changed && !runs.save(saveRequest(event, eventId, stored.version(), before, decision, meta, out))) {
        counters.casConflicts.incrementAndGet();
        LOG.info("version conflict on run {} (another writer applied first); reloading", event.runId());
        continue;
      }
      if (!changed && isAdmit(event) && before != null) {
        runs.admitted(before.template(), event.runId()); // an admission that is moot (the run was cancelled)
      }
      logDecision(event, eventId, decision);
      forward(out, record);
      return;
    }
    throw new IllegalStateException("run " + event.runId() + ": " + MAX_CAS_ATTEMPTS + " version conflicts in a row");
  }

  private SaveRequest saveRequest(EngineEvent event, String eventId, long version, RunState before, Decision d,
      RecordMetadata meta, List<OutboundRecord> out) {
    Map<String, ItemState> changedItems = new LinkedHashMap<>();
    Map<String, ItemState> old = before == null ? Map.of() : before.items();
    d.state().items().forEach((key, item) -> {
      if (!Objects.equals(old.get(key), item)) {
        changedItems.put(key, item);
      }
    });
    List<TimerFired> timersToSet = new ArrayList<>();
    List<String> timersToCancel = new ArrayList<>();
    SaveRequest.Admission admission = isAdmit(event)
        ? new SaveRequest.Admission(SaveRequest.Admission.Op.ADMITTED, d.state().template(), 0) : SaveRequest.Admission.NONE;
    if (event instanceof EngineEvent.TimerDue t) {
      timersToCancel.add(t.timer().getEventId()); // applied: the fired timer is done
    }
    for (EngineCommand c : d.commands()) {
      if (c instanceof EngineCommand.ScheduleTimer s) {
        timersToSet.add(s.timer());
      } else if (c instanceof EngineCommand.CancelTimer s) {
        timersToCancel.add(s.timerId());
      } else if (c instanceof EngineCommand.EnqueueRun e) {
        admission = new SaveRequest.Admission(SaveRequest.Admission.Op.ENQUEUE, e.template(), e.maxConcurrentRuns());
      } else if (c instanceof EngineCommand.ReleaseRun r) {
        admission = new SaveRequest.Admission(SaveRequest.Admission.Op.RELEASE, r.template(), 0);
      }
    }
    boolean outputsChanged = before == null || !before.outputsByJob().equals(d.state().outputsByJob());
    return new SaveRequest(event.runId(), version, d.state(), outputsChanged, changedItems, eventId,
        new AppliedEvent(meta.topic(), meta.partition(), meta.offset(), out), timersToSet, timersToCancel,
        context.taskId().partition(), admission, epoch);
  }

  private static boolean isAdmit(EngineEvent event) {
    return event instanceof EngineEvent.CommandReceived c && c.command().getType() == RunCommandType.ADMIT;
  }

  private void replayOrDrop(Record<String, Inbound> record, RecordMetadata meta, EngineEvent event, String eventId, StoredRun stored) {
    AppliedEvent applied = stored.applied();
    if (applied.sameRecord(meta.topic(), meta.partition(), meta.offset())) {
      counters.reemitted.incrementAndGet();
      LOG.info("event {} was applied by this record before its transaction aborted; re-emitting {} records", eventId, applied.produced().size());
      forward(applied.produced(), record);
      return;
    }
    counters.duplicates.incrementAndGet();
    if (isAdmit(event) && stored.state() != null) {
      runs.admitted(stored.state().template(), event.runId());
    }
    LOG.info("event {} already applied (by {}-{}@{}); duplicate from {}-{}@{} dropped", eventId,
        applied.topic(), applied.partition(), applied.offset(), meta.topic(), meta.partition(), meta.offset());
  }

  private Template templateFor(EngineEvent event, RunState state) {
    if (state != null) {
      return templates.version(state.template(), state.templateVersion());
    }
    if (event instanceof EngineEvent.TriggerReceived t) {
      Integer version = t.trigger().getTemplateVersion();
      return version == null ? templates.latest(t.trigger().getTemplate()) : templates.version(t.trigger().getTemplate(), version);
    }
    return null;
  }

  private void logDecision(EngineEvent event, String eventId, Decision decision) {
    counters.applied.incrementAndGet();
    long rejected = decision.commands().stream().filter(c -> c instanceof EngineCommand.Reject).count();
    counters.deadLettered.addAndGet(rejected);
    counters.ignored.addAndGet(decision.commands().stream().filter(c -> c instanceof EngineCommand.Ignore).count());
    String status = decision.state() == null ? "none" : decision.state().status().name();
    LOG.info("run {} applied {} -> status {}, {} commands, {}", event.runId(), eventId, status, decision.commands().size(),
        decision.transitions());
    decision.commands().stream()
        .filter(c -> c instanceof EngineCommand.Reject || c instanceof EngineCommand.Ignore)
        .forEach(c -> LOG.info("run {}: {}", event.runId(), c));
  }

  private void forward(List<OutboundRecord> out, Record<String, Inbound> input) {
    for (OutboundRecord o : out) {
      Record<String, OutboundRecord> r = new Record<>(o.key(), o, input.timestamp());
      o.headers().forEach((k, v) -> r.headers().add(k, v));
      context.forward(r);
    }
  }
}
