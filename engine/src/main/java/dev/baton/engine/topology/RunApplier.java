package dev.baton.engine.topology;

import dev.baton.engine.decide.Decider;
import dev.baton.engine.decide.Decision;
import dev.baton.engine.decide.Effects;
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
import dev.baton.events.RunEventType;
import dev.baton.events.TimerFired;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Applies a batch of a task's input records to their runs (design §7), in input order:
 *
 * <ol>
 *   <li>load, in one pipeline, the runs the task does not hold in memory ({@link RunCache}), with
 *       whether each record's event id is applied already;
 *   <li>decide each record against its run as the records before it in the batch left it;
 *   <li>save every change, in one pipeline of atomic compare-and-set saves;
 *   <li>only then hand back each record's outputs.
 * </ol>
 *
 * A refused save (another writer got there first, or the event was applied before the task held the
 * run) makes that record, and every later record of its run in the batch, be applied again one at a
 * time from Redis: decisions of a run never build on a save that did not happen. So a step costs
 * two Redis round trips per batch, not per record, and outputs never get ahead of Redis. Nothing
 * here touches Kafka: the processor forwards what this returns.
 */
final class RunApplier {
  private static final Logger LOG = LoggerFactory.getLogger(RunApplier.class);
  private static final int MAX_CAS_ATTEMPTS = 20;

  /** A record to apply: its event and the id it is applied under, or why it cannot be read. */
  record Input(InputRecord source, EngineEvent event, String eventId, String error) {
    String runId() {
      return event.runId();
    }
  }

  private final RunRepository runs;
  private final TemplateLookup templates;
  private final Outbounds outbounds;
  private final EngineCounters counters;
  private final RunCache cache;
  private final int partition;
  private final long epoch;

  RunApplier(
      RunRepository runs,
      TemplateLookup templates,
      Outbounds outbounds,
      EngineCounters counters,
      RunCache cache,
      int partition,
      long epoch) {
    this.runs = runs;
    this.templates = templates;
    this.outbounds = outbounds;
    this.counters = counters;
    this.cache = cache;
    this.partition = partition;
    this.epoch = epoch;
  }

  /** What one record leads to, before its save is known to have succeeded. */
  private record Outcome(
      Input input,
      Kind kind,
      Decision decision,
      List<OutboundRecord> out,
      int saveIndex,
      RunState state,
      String appliedBy) {
    enum Kind {
      DEAD_LETTER,
      DUPLICATE,
      REEMIT,
      DECIDED
    }
  }

  /** Applies {@code inputs} in order and returns each one's outputs, in the same order. */
  List<List<OutboundRecord>> apply(List<Input> inputs) {
    List<StoredRun> loaded = loadUncached(inputs);
    Map<String, Map<String, ItemState>> unsavedItems = new HashMap<>();
    List<SaveRequest> saves = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      outcomes.add(decideInBatch(inputs.get(i), loaded.get(i), unsavedItems, saves));
    }
    List<SaveResult> results =
        saves.isEmpty() ? List.of() : counters.timeRedis("save-batch", () -> runs.saveAll(saves));
    Set<String> redo = new HashSet<>();
    List<List<OutboundRecord>> outputs = new ArrayList<>(inputs.size());
    for (Outcome o : outcomes) {
      if (o.kind() == Outcome.Kind.DEAD_LETTER) {
        outputs.add(o.out());
        continue;
      }
      String runId = o.input().runId();
      if (!redo.contains(runId)
          && o.saveIndex() >= 0
          && results.get(o.saveIndex()) != SaveResult.SAVED) {
        redo.add(runId);
        cache.remove(runId);
        refused(runId, o.input().eventId(), results.get(o.saveIndex()));
      }
      outputs.add(redo.contains(runId) ? applyOne(o.input()) : settle(o));
    }
    cache.trim();
    withdrawStopped();
    return outputs;
  }

  /**
   * Attempts stopped by decisions whose saves are written: no dispatcher may start them any more.
   */
  private final List<String> stopped = new ArrayList<>();

  private void withdrawStopped() {
    if (!stopped.isEmpty()) {
      List<String> ids = List.copyOf(stopped);
      stopped.clear();
      counters.timeRedis(
          "withdraw",
          () -> {
            runs.withdraw(ids);
            return null;
          });
    }
  }

  /** Forgets the runs held in memory: after this, every run is loaded from Redis again. */
  void forget() {
    cache.clear();
  }

  /** One load per record whose run is not in memory, in one pipeline; null where none is needed. */
  private List<StoredRun> loadUncached(List<Input> inputs) {
    List<RunRepository.EventRef> refs = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Input in = inputs.get(i);
      if (in.error() == null && cache.get(in.runId()) == null) {
        refs.add(new RunRepository.EventRef(in.runId(), in.eventId()));
        at.add(i);
      }
    }
    List<StoredRun> loaded =
        new ArrayList<>(java.util.Collections.nCopies(inputs.size(), (StoredRun) null));
    if (!refs.isEmpty()) {
      List<StoredRun> results = counters.timeRedis("load-batch", () -> runs.loadAll(refs));
      for (int k = 0; k < at.size(); k++) {
        loaded.set(at.get(k), results.get(k));
      }
    }
    return loaded;
  }

  private Outcome decideInBatch(
      Input in,
      StoredRun loaded,
      Map<String, Map<String, ItemState>> unsavedItems,
      List<SaveRequest> saves) {
    if (in.error() != null) {
      counters.deadLettered(in.error());
      LOG.warn(
          "dead-lettered {} from {}-{}@{}: {}",
          in.source().kind(),
          in.source().topic(),
          in.source().partition(),
          in.source().offset(),
          in.error());
      return new Outcome(
          in,
          Outcome.Kind.DEAD_LETTER,
          null,
          outbounds.of(List.of(new EngineCommand.Reject(in.error())), in.source()),
          -1,
          null,
          null);
    }
    RunCache.Entry hit = cache.get(in.runId());
    if (hit != null && hit.applied(in.eventId())) {
      return new Outcome(
          in, Outcome.Kind.DUPLICATE, null, List.of(), -1, hit.state(), "this task, earlier");
    }
    // The record's applied check comes from Redis when it was loaded; a run held in memory since
    // before the batch is checked by the save, which refuses an applied id.
    StoredRun stored =
        hit == null
            ? loaded
            : new StoredRun(hit.state(), hit.version(), loaded == null ? null : loaded.applied());
    if (stored.applied() != null) {
      return replayOrDrop(in, stored);
    }
    Map<String, ItemState> overlay = unsavedItems.getOrDefault(in.runId(), Map.of());
    Decided d = decide(in, stored, overlay);
    int saveIndex = -1;
    if (d.save() != null) {
      saveIndex = saves.size();
      saves.add(d.save());
      unsavedItems
          .computeIfAbsent(in.runId(), k -> new HashMap<>())
          .putAll(d.save().changedItems());
      cache.put(
          in.runId(), d.decision().state().withoutItems(), stored.version() + 1, in.eventId());
    }
    return new Outcome(
        in, Outcome.Kind.DECIDED, d.decision(), d.out(), saveIndex, d.before(), null);
  }

  private record Decided(
      Decision decision, List<OutboundRecord> out, SaveRequest save, RunState before) {}

  /** The decision for one record, and the save it needs (null when the run did not change). */
  private Decided decide(Input in, StoredRun stored, Map<String, ItemState> unsavedItems) {
    EngineEvent event = in.event();
    MDC.put("runId", event.runId());
    try {
      Template template = templateFor(event, stored.state());
      RunState before = stored.state();
      Needs.ItemQuery needs = Needs.of(before, event, template);
      if (before != null && !needs.isEmpty()) {
        before = before.withItems(loadItems(event.runId(), needs, unsavedItems));
      }
      Instant now = Instant.ofEpochMilli(in.source().timestamp());
      Decision decision = Decider.decide(before, event, template, now);
      List<OutboundRecord> out = outbounds.of(decision.commands(), in.source());
      java.time.Instant lost = runs.dataLostAt();
      if (before == null && lost != null && !(event instanceof EngineEvent.TriggerReceived)) {
        // A run Redis forgot when it lost its data must not vanish: it ends FAILED, visibly.
        out = new ArrayList<>(out);
        out.add(
            outbounds.forgotten(
                event.runId(),
                "Redis lost this run's state when it lost its data (seen at "
                    + lost
                    + "); the run cannot go on",
                in.source().timestamp()));
      }
      String tooLarge = outbounds.oversized(out);
      if (tooLarge != null) {
        // Kafka would refuse the record at send, and the task would fail on it forever.
        String reason = "applying it would produce " + tooLarge;
        decision = Decider.refuse(before, template, now, reason);
        out = outbounds.of(decision.commands(), in.source());
        if (outbounds.oversized(out) != null) {
          decision = Decider.refuse(before, null, now, reason);
          out = outbounds.of(decision.commands(), in.source());
        }
      }
      boolean changed = decision.state() != null && !decision.state().equals(before);
      SaveRequest save = changed ? saveRequest(in, stored.version(), before, decision, out) : null;
      return new Decided(decision, out, save, before);
    } finally {
      MDC.remove("runId");
    }
  }

  /** A record applied on its own, from Redis: for records whose batched save was refused. */
  private List<OutboundRecord> applyOne(Input in) {
    for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      RunCache.Entry hit = cache.get(in.runId());
      if (hit != null && hit.applied(in.eventId())) {
        return settle(
            new Outcome(
                in,
                Outcome.Kind.DUPLICATE,
                null,
                List.of(),
                -1,
                hit.state(),
                "this task, earlier"));
      }
      StoredRun stored =
          hit != null
              ? new StoredRun(hit.state(), hit.version(), null)
              : counters.timeRedis("load", () -> runs.load(in.runId(), in.eventId()));
      if (stored.applied() != null) {
        return settle(replayOrDrop(in, stored));
      }
      Decided d = decide(in, stored, Map.of());
      if (d.save() != null) {
        SaveResult result = counters.timeRedis("save", () -> runs.save(d.save()));
        if (result != SaveResult.SAVED) {
          cache.remove(in.runId());
          refused(in.runId(), in.eventId(), result);
          continue; // reloading finds the applied event (re-emit or drop) or the newer version
        }
        cache.put(
            in.runId(), d.decision().state().withoutItems(), stored.version() + 1, in.eventId());
      }
      return settle(
          new Outcome(in, Outcome.Kind.DECIDED, d.decision(), d.out(), -1, d.before(), null));
    }
    throw new IllegalStateException(
        "run " + in.runId() + ": " + MAX_CAS_ATTEMPTS + " version conflicts in a row");
  }

  private void refused(String runId, String eventId, SaveResult result) {
    if (result == SaveResult.CONFLICT) {
      counters.casConflicts.incrementAndGet();
      LOG.info(
          "version conflict on run {} applying {} (another writer applied first); reloading",
          runId,
          eventId);
    }
  }

  /** Counts and logs an outcome whose save (if any) is written, and returns its outputs. */
  private List<OutboundRecord> settle(Outcome o) {
    Input in = o.input();
    switch (o.kind()) {
      case DUPLICATE -> dropDuplicate(in, o.state(), o.appliedBy());
      case REEMIT -> {
        counters.reemitted.incrementAndGet();
        LOG.info(
            "event {} was applied by this record before its transaction aborted; re-emitting {} records",
            in.eventId(),
            o.out().size());
      }
      case DECIDED -> {
        boolean changed = o.decision().state() != null && !o.decision().state().equals(o.state());
        if (!changed && isAdmit(in.event()) && o.state() != null) {
          runs.admitted(
              o.state().template(),
              in.runId()); // an admission that is moot (the run was cancelled)
        }
        logDecision(in, o.decision());
        for (EngineCommand c : o.decision().commands()) {
          if (c instanceof EngineCommand.DispatchJob d
              && d.dispatch().getAction() == dev.baton.events.DispatchAction.STOP) {
            stopped.add(d.dispatch().getAttemptId());
          }
        }
        counters.decided(
            o.decision().commands(),
            in.source().kind() == Inbound.Kind.COMPLETION,
            in.source().timestamp());
      }
      case DEAD_LETTER -> {}
    }
    return o.out();
  }

  private Outcome replayOrDrop(Input in, StoredRun stored) {
    AppliedEvent applied = stored.applied();
    if (applied.sameRecord(in.source().topic(), in.source().partition(), in.source().offset())) {
      return new Outcome(
          in, Outcome.Kind.REEMIT, null, applied.produced(), -1, stored.state(), null);
    }
    return new Outcome(
        in,
        Outcome.Kind.DUPLICATE,
        null,
        List.of(),
        -1,
        stored.state(),
        applied.topic() + "-" + applied.partition() + "@" + applied.offset());
  }

  private void dropDuplicate(Input in, RunState state, String appliedBy) {
    counters.duplicates.incrementAndGet();
    if (isAdmit(in.event()) && state != null) {
      runs.admitted(state.template(), in.runId());
    }
    LOG.debug("event {} already applied (by {}); duplicate dropped", in.eventId(), appliedBy);
  }

  /** Instances from Redis, overlaid with those changed by decisions of this batch not yet saved. */
  private Map<String, ItemState> loadItems(
      String runId, Needs.ItemQuery needs, Map<String, ItemState> unsaved) {
    Map<String, ItemState> items =
        new LinkedHashMap<>(counters.timeRedis("load-items", () -> runs.loadItems(runId, needs)));
    unsaved.forEach(
        (key, item) -> {
          if (needs.allOf().contains(item.job())
              || needs.indexes().getOrDefault(item.job(), Set.of()).contains(item.index())) {
            items.put(key, item);
          }
        });
    return items;
  }

  private SaveRequest saveRequest(
      Input in, long version, RunState before, Decision d, List<OutboundRecord> out) {
    Map<String, ItemState> changedItems = new LinkedHashMap<>();
    Map<String, ItemState> old = before == null ? Map.of() : before.items();
    d.state()
        .items()
        .forEach(
            (key, item) -> {
              if (!Objects.equals(old.get(key), item)) {
                changedItems.put(key, item);
              }
            });
    Effects effects = Effects.of(d.commands());
    List<TimerFired> timersToSet = effects.timersToSet();
    List<String> timersToCancel = new ArrayList<>(effects.timersToCancel());
    if (in.event() instanceof EngineEvent.TimerDue t) {
      timersToCancel.add(t.timer().getEventId()); // applied: the fired timer is done
    }
    SaveRequest.Admission admission = SaveRequest.Admission.NONE;
    if (isAdmit(in.event())) {
      admission =
          new SaveRequest.Admission(SaveRequest.Admission.Op.ADMITTED, d.state().template(), 0);
    }
    if (effects.admission() != null) {
      Effects.Admission a = effects.admission();
      admission =
          new SaveRequest.Admission(
              a.enqueue() ? SaveRequest.Admission.Op.ENQUEUE : SaveRequest.Admission.Op.RELEASE,
              a.template(),
              a.maxConcurrentRuns());
    }
    boolean outputsChanged =
        before == null || !before.outputsByJob().equals(d.state().outputsByJob());
    InputRecord src = in.source();
    return new SaveRequest(
        in.runId(),
        version,
        d.state(),
        outputsChanged,
        changedItems,
        in.eventId(),
        new AppliedEvent(src.topic(), src.partition(), src.offset(), out),
        timersToSet,
        timersToCancel,
        partition,
        admission,
        epoch);
  }

  /** Runs starting, queueing and ending, and jobs failing: the lifecycle changes logged at INFO. */
  private static boolean followedByOperators(RunEventType type) {
    return type.name().startsWith("RUN_") || type == RunEventType.JOB_FAILED;
  }

  private static boolean isAdmit(EngineEvent event) {
    return event instanceof EngineEvent.CommandReceived c
        && c.command().getType() == RunCommandType.ADMIT;
  }

  private Template templateFor(EngineEvent event, RunState state) {
    if (state != null) {
      return templates.version(state.template(), state.templateVersion());
    }
    if (event instanceof EngineEvent.TriggerReceived t) {
      Integer version = t.trigger().getTemplateVersion();
      return version == null
          ? templates.latest(t.trigger().getTemplate())
          : templates.version(t.trigger().getTemplate(), version);
    }
    return null;
  }

  /**
   * Per-decision detail at DEBUG; at INFO only what an operator follows: a run that starts or ends,
   * and a record that is rejected.
   */
  private void logDecision(Input in, Decision decision) {
    counters.applied.incrementAndGet();
    for (EngineCommand c : decision.commands()) {
      if (c instanceof EngineCommand.Reject r) {
        counters.deadLettered(r.reason());
        LOG.info("run {}: {} rejected: {}", in.runId(), in.eventId(), r.reason());
      } else if (c instanceof EngineCommand.Ignore) {
        counters.ignored.incrementAndGet();
        LOG.debug("run {}: {}", in.runId(), c);
      } else if (c instanceof EngineCommand.EmitRunEvent e
          && followedByOperators(e.event().getType())) {
        LOG.info(
            "run {} {}{}",
            in.runId(),
            e.event().getType(),
            e.event().getDetail() == null ? "" : ": " + e.event().getDetail());
      }
    }
    if (LOG.isDebugEnabled()) {
      String status = decision.state() == null ? "none" : decision.state().status().name();
      LOG.debug(
          "run {} applied {} -> status {}, {} commands, {}",
          in.runId(),
          in.eventId(),
          status,
          decision.commands().size(),
          decision.transitions());
    }
  }
}
