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
import dev.baton.engine.state.SaveResult;
import dev.baton.engine.state.StoredRun;
import dev.baton.engine.template.Template;
import dev.baton.events.RunCommandType;
import dev.baton.events.TimerFired;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Set;
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
 *
 * <p>The runs this task applied lately stay in memory ({@link RunCache}): the task owns their
 * partition, so their Redis copy changes only through it, and a hit saves the load's round trip.
 * Under exactly-once the saves are written in one pipeline before the task commits (write-behind,
 * see {@link PendingSaves}): Redis is still written before the transaction that holds the outputs.
 */
final class RunProcessor implements Processor<String, Inbound, String, OutboundRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(RunProcessor.class);
  private static final int MAX_CAS_ATTEMPTS = 20;
  private static final Duration LEASE = Duration.ofSeconds(10);
  private static final int MAX_CACHED_RUNS = 10_000;

  private final RunRepository runs;
  private final InboundParser parser;
  private final Outbounds outbounds;
  private final EngineCounters counters;
  private final String templateStoreName;
  private final Duration tick;
  private final boolean writeBehind;
  private final RunCache cache = new RunCache(MAX_CACHED_RUNS);
  private final List<SaveRequest> pending = new ArrayList<>();
  private final Map<String, Map<String, ItemState>> pendingItems = new HashMap<>();
  private final Set<String> optimistic = new java.util.HashSet<>();
  /** Shared by the tasks of one engine: after a trigger guessed wrong, triggers load again for a while. */
  private static final Duration GUESS_PAUSE = Duration.ofMinutes(1);
  private final java.util.concurrent.atomic.AtomicLong guessesPausedUntil;
  private ProcessorContext<String, OutboundRecord> context;
  private TemplateLookup templates;
  private long epoch;

  /**
   * {@code writeBehind}: saves wait in memory and go to Redis in one pipeline just before the
   * task commits (exactly-once: nothing forwarded is visible before that commit). Otherwise each
   * save is written before its outputs are forwarded (at-least-once, where a forwarded record is
   * sent at once).
   */
  RunProcessor(RunRepository runs, InboundParser parser, Outbounds outbounds, EngineCounters counters, String templateStoreName,
      Duration tick, boolean writeBehind, java.util.concurrent.atomic.AtomicLong guessesPausedUntil) {
    this.writeBehind = writeBehind;
    this.guessesPausedUntil = guessesPausedUntil;
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
    discardPending();
    if (writeBehind) {
      PendingSaves hook = context.getStateStore(PendingSaves.NAME);
      hook.onCommit(this::flushPending, this::discardPending);
    }
  }

  /**
   * A trigger without an idempotency key almost always starts a new run: under write-behind it is
   * decided without loading, and its save's compare-and-set on version 0 checks at commit that the
   * run did not exist. When it did (the same run id sent twice), the commit fails, its transaction
   * aborts, and the records are processed again with loads; such triggers then load for a while.
   */
  private boolean assumeNew(EngineEvent event) {
    return writeBehind && event instanceof EngineEvent.TriggerReceived t && t.trigger().getIdempotencyKey() == null
        && System.nanoTime() > guessesPausedUntil.get();
  }

  /** Writes the saves of this commit in one pipeline; any that is refused fails the commit (its transaction aborts). */
  private void flushPending() {
    if (pending.isEmpty()) {
      return;
    }
    List<SaveRequest> batch = List.copyOf(pending);
    List<SaveResult> results;
    try {
      results = counters.timeRedis("save-batch", () -> runs.saveAll(batch));
    } catch (RuntimeException e) {
      discardPending();
      throw e;
    }
    for (int i = 0; i < batch.size(); i++) {
      if (results.get(i) != SaveResult.SAVED) {
        SaveRequest r = batch.get(i);
        if (optimistic.contains(r.eventId())) {
          guessesPausedUntil.set(System.nanoTime() + GUESS_PAUSE.toNanos());
        }
        discardPending();
        counters.casConflicts.incrementAndGet();
        throw new IllegalStateException("run " + r.runId() + ": save of " + r.eventId() + " at version " + r.expectedVersion() + " was "
            + results.get(i) + "; this commit aborts and its records are processed again from Redis");
      }
    }
    pending.clear();
    pendingItems.clear();
    optimistic.clear();
    cache.trim(Set.of());
  }

  /** Forgets what was decided since the last commit: it is processed again. */
  private void discardPending() {
    optimistic.clear();
    pending.clear();
    pendingItems.clear();
    cache.clear();
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
      counters.deadLettered(parsed.error());
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
      RunCache.Entry hit = cache.get(event.runId());
      if (hit != null && hit.applied(eventId)) {
        dropDuplicate(event, eventId, hit.state(), "this task, earlier");
        return;
      }
      StoredRun stored;
      if (hit != null) {
        stored = new StoredRun(hit.state(), hit.version(), null);
      } else if (assumeNew(event)) {
        stored = new StoredRun(null, 0, null);
        optimistic.add(eventId);
      } else {
        stored = counters.timeRedis("load", () -> runs.load(event.runId(), eventId));
      }
      if (stored.applied() != null) {
        replayOrDrop(record, meta, event, eventId, stored);
        return;
      }
      Template template = templateFor(event, stored.state());
      RunState before = stored.state();
      Needs.ItemQuery needs = Needs.of(before, event, template);
      if (before != null && !needs.isEmpty()) {
        before = before.withItems(loadItems(event.runId(), needs));
      }
      Instant now = Instant.ofEpochMilli(record.timestamp());
      Decision decision = Decider.decide(before, event, template, now);
      List<OutboundRecord> out = outbounds.of(decision.commands(), record, meta);
      boolean changed = decision.state() != null && !decision.state().equals(before);
      if (changed) {
        SaveRequest request = saveRequest(event, eventId, stored.version(), before, decision, meta, out);
        if (writeBehind) {
          pending.add(request);
          pendingItems.computeIfAbsent(event.runId(), k -> new HashMap<>()).putAll(request.changedItems());
        } else {
          SaveResult result = counters.timeRedis("save", () -> runs.save(request));
          if (result != SaveResult.SAVED) {
            cache.remove(event.runId());
            if (result == SaveResult.CONFLICT) {
              counters.casConflicts.incrementAndGet();
              LOG.info("version conflict on run {} (another writer applied first); reloading", event.runId());
            }
            continue; // reloading finds the applied event (re-emit or drop) or the newer version
          }
        }
        cache.put(event.runId(), decision.state().withoutItems(), stored.version() + 1, eventId, pendingItems.keySet());
      }
      if (!changed && isAdmit(event) && before != null) {
        runs.admitted(before.template(), event.runId()); // an admission that is moot (the run was cancelled)
      }
      logDecision(event, eventId, decision);
      counters.decided(decision.commands(), record.value().kind() == Inbound.Kind.COMPLETION, record.timestamp());
      forward(out, record);
      return;
    }
    throw new IllegalStateException("run " + event.runId() + ": " + MAX_CAS_ATTEMPTS + " version conflicts in a row");
  }

  /** Instances from Redis, overlaid with those changed by saves not yet written. */
  private Map<String, ItemState> loadItems(String runId, Needs.ItemQuery needs) {
    Map<String, ItemState> items = new LinkedHashMap<>(counters.timeRedis("load-items", () -> runs.loadItems(runId, needs)));
    pendingItems.getOrDefault(runId, Map.of()).forEach((key, item) -> {
      if (needs.allOf().contains(item.job()) || needs.indexes().getOrDefault(item.job(), Set.of()).contains(item.index())) {
        items.put(key, item);
      }
    });
    return items;
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
    dropDuplicate(event, eventId, stored.state(), applied.topic() + "-" + applied.partition() + "@" + applied.offset());
  }

  private void dropDuplicate(EngineEvent event, String eventId, RunState state, String appliedBy) {
    counters.duplicates.incrementAndGet();
    if (isAdmit(event) && state != null) {
      runs.admitted(state.template(), event.runId());
    }
    LOG.info("event {} already applied (by {}); duplicate dropped", eventId, appliedBy);
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
    decision.commands().stream().filter(c -> c instanceof EngineCommand.Reject)
        .forEach(c -> counters.deadLettered(((EngineCommand.Reject) c).reason()));
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
