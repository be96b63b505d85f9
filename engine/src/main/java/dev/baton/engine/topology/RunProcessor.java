package dev.baton.engine.topology;

import dev.baton.engine.decide.Decider;
import dev.baton.engine.decide.Decision;
import dev.baton.engine.decide.EngineCommand;
import dev.baton.engine.decide.EngineEvent;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.AppliedEvent;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.engine.state.RunRepository;
import dev.baton.engine.state.StoredRun;
import dev.baton.engine.template.Template;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The shell around {@link Decider}, in this order (design §7): parse → load → (already applied?
 * re-emit or drop) → decide → save atomically with a version CAS → forward. Forwarded records
 * are committed in the task's Kafka transaction; Redis is written before it, so a transaction
 * that aborts after the save is repaired by re-emitting what the save recorded.
 */
final class RunProcessor implements Processor<String, Inbound, String, OutboundRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(RunProcessor.class);
  private static final int MAX_CAS_ATTEMPTS = 20;

  private final RunRepository runs;
  private final InboundParser parser;
  private final Outbounds outbounds;
  private final EngineCounters counters;
  private final String templateStoreName;
  private ProcessorContext<String, OutboundRecord> context;
  private TemplateLookup templates;

  RunProcessor(RunRepository runs, InboundParser parser, Outbounds outbounds, EngineCounters counters, String templateStoreName) {
    this.runs = runs;
    this.parser = parser;
    this.outbounds = outbounds;
    this.counters = counters;
    this.templateStoreName = templateStoreName;
  }

  @Override
  public void init(ProcessorContext<String, OutboundRecord> context) {
    this.context = context;
    org.apache.kafka.streams.processor.StateStore store = context.getStateStore(templateStoreName);
    this.templates = new TemplateLookup(key -> storeValue(store, key));
  }

  @SuppressWarnings("unchecked")
  private static String storeValue(org.apache.kafka.streams.processor.StateStore store, String key) {
    Object value = ((org.apache.kafka.streams.state.KeyValueStore<String, Object>) store).get(key);
    return value instanceof ValueAndTimestamp<?> vt ? (String) vt.value() : (String) value;
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
        replayOrDrop(record, meta, eventId, stored.applied());
        return;
      }
      Instant now = Instant.ofEpochMilli(record.timestamp());
      Decision decision = Decider.decide(stored.state(), event, templateFor(event, stored.state()), now);
      List<OutboundRecord> out = outbounds.of(decision.commands(), record, meta);
      boolean changed = decision.state() != null && !decision.state().equals(stored.state());
      if (changed && !runs.save(event.runId(), stored.version(), decision.state(), eventId,
          new AppliedEvent(meta.topic(), meta.partition(), meta.offset(), out))) {
        counters.casConflicts.incrementAndGet();
        LOG.info("version conflict on run {} (another writer applied first); reloading", event.runId());
        continue;
      }
      logDecision(event, eventId, decision);
      forward(out, record);
      return;
    }
    throw new IllegalStateException("run " + event.runId() + ": " + MAX_CAS_ATTEMPTS + " version conflicts in a row");
  }

  private void replayOrDrop(Record<String, Inbound> record, RecordMetadata meta, String eventId, AppliedEvent applied) {
    if (applied.sameRecord(meta.topic(), meta.partition(), meta.offset())) {
      counters.reemitted.incrementAndGet();
      LOG.info("event {} was applied by this record before its transaction aborted; re-emitting {} records", eventId, applied.produced().size());
      forward(applied.produced(), record);
    } else {
      counters.duplicates.incrementAndGet();
      LOG.info("event {} already applied (by {}-{}@{}); duplicate from {}-{}@{} dropped", eventId,
          applied.topic(), applied.partition(), applied.offset(), meta.topic(), meta.partition(), meta.offset());
    }
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
    String status = decision.state() == null ? "none" : decision.state().status().name();
    LOG.info("run {} applied {} -> status {}, {} commands", event.runId(), eventId, status, decision.commands().size());
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
