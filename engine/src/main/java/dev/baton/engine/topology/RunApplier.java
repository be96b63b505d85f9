package dev.baton.engine.topology;

import dev.baton.engine.decide.Decider;
import dev.baton.engine.decide.Decision;
import dev.baton.engine.decide.EngineCommand;
import dev.baton.engine.decide.EngineEvent;
import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.TriggerChecks;
import dev.baton.engine.state.AppliedEvent;
import dev.baton.engine.state.FollowUp;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.engine.state.RunRepository;
import dev.baton.engine.state.SaveRequest;
import dev.baton.engine.state.SaveResult;
import dev.baton.engine.state.StoredRun;
import dev.baton.engine.template.Template;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
 *   <li>save every change, in one pipeline of atomic compare-and-set saves over each run's keys;
 *   <li>write the saved and re-emitted records' follow-ups (timers, run index, admission), in input
 *       order, in one more pipeline;
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
  private final RunLoader loader;
  private final SlotGate slots;
  private final dev.baton.engine.decide.RunQuotas quotas;
  private final boolean runHistory;
  private final RunTracing tracing;

  RunApplier(
      RunRepository runs,
      TemplateLookup templates,
      Outbounds outbounds,
      EngineCounters counters,
      RunCache cache,
      int partition,
      long epoch,
      SlotGate slots,
      dev.baton.engine.decide.RunQuotas quotas,
      boolean runHistory,
      RunTracing tracing) {
    this.tracing = tracing;
    this.slots = slots;
    this.quotas = quotas;
    this.runHistory = runHistory;
    this.runs = runs;
    this.templates = templates;
    this.outbounds = outbounds;
    this.counters = counters;
    this.cache = cache;
    this.partition = partition;
    this.epoch = epoch;
    this.loader = new RunLoader(runs, counters, cache);
  }

  /** What one record leads to, before its save is known to have succeeded. */
  private record Outcome(
      Input input,
      Kind kind,
      Decision decision,
      List<OutboundRecord> out,
      int saveIndex,
      RunState state,
      String appliedBy,
      FollowUp followUp,
      List<dev.baton.tracing.SpanRecord> spans) {
    /** A record this task applied earlier (its run is held in memory): dropped. */
    static Outcome appliedHere(Input in, RunState state) {
      return new Outcome(
          in, Kind.DUPLICATE, null, List.of(), -1, state, "this task, earlier", null, List.of());
    }

    enum Kind {
      DEAD_LETTER,
      DUPLICATE,
      REEMIT,
      DECIDED
    }
  }

  /** Applies {@code inputs} in order and returns each one's outputs, in the same order. */
  List<List<OutboundRecord>> apply(List<Input> inputs) {
    List<StoredRun> loaded = loader.uncached(inputs);
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
    writeFollowUps();
    withdrawStopped();
    List<List<OutboundRecord>> sent =
        slots == null
            ? outputs
            : counters.timeRedis(
                "job-slots", () -> slots.pass(inputs, outputs, System.currentTimeMillis()));
    // What the outputs say (and what re-emitted outputs said) is in Redis: on the replicas too,
    // when the deployment asks for it, before the outputs leave.
    runs.awaitReplicas();
    return sent;
  }

  /** Follow-ups of the saves written and of re-emitted records, in input order. */
  private final List<FollowUp> followUps = new ArrayList<>();

  private void writeFollowUps() {
    if (!followUps.isEmpty()) {
      List<FollowUp> some = List.copyOf(followUps);
      followUps.clear();
      counters.timeRedis(
          "follow-up",
          () -> {
            runs.followUp(some);
            return null;
          });
    }
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
    followUps.clear(); // a re-emitted record makes its follow-up again
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
          null,
          null,
          List.of());
    }
    RunCache.Entry hit = cache.get(in.runId());
    if (hit != null && hit.applied(in.eventId())) {
      return Outcome.appliedHere(in, hit.state());
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
        in,
        Outcome.Kind.DECIDED,
        d.decision(),
        d.out(),
        saveIndex,
        d.before(),
        null,
        d.save() == null ? null : d.save().followUp(),
        d.spans());
  }

  private record Decided(
      Decision decision,
      List<OutboundRecord> out,
      SaveRequest save,
      RunState before,
      List<dev.baton.tracing.SpanRecord> spans) {}

  /** The decision for one record, and the save it needs (null when the run did not change). */
  private Decided decide(Input in, StoredRun stored, Map<String, ItemState> unsavedItems) {
    EngineEvent event = answerLookup(in.event(), stored.state());
    MDC.put("runId", event.runId());
    try {
      Template template = templateFor(event, stored.state());
      Instant now = Instant.ofEpochMilli(in.source().timestamp());
      Instant started = tracing.on() ? Instant.now() : null;
      Needs.Decided decided =
          Needs.decide(
              stored.state(),
              event,
              template,
              now,
              quotas,
              query -> loader.items(event.runId(), query, unsavedItems));
      RunState before = decided.before();
      Decision decision = decided.decision();
      decision.causedBy(in.eventId());
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
      String tooLarge = outbounds.unwritable(out);
      if (tooLarge != null) {
        // Kafka would refuse the record at send, and the task would fail on it forever.
        String reason = "applying it would produce " + tooLarge;
        decision = Decider.refuse(before, template, now, reason);
        decision.causedBy(in.eventId());
        out = outbounds.of(decision.commands(), in.source());
        if (outbounds.unwritable(out) != null) {
          decision = Decider.refuse(before, null, now, reason);
          decision.causedBy(in.eventId());
          out = outbounds.of(decision.commands(), in.source());
        }
      }
      if (runHistory && decision.ends(before)) {
        OutboundRecord summary = outbounds.history(decision.state());
        if (outbounds.oversized(List.of(summary)) == null) {
          out = new ArrayList<>(out);
          out.add(summary);
        } else {
          LOG.warn("run {} ended; its summary is too large for the history topic", in.runId());
        }
      }
      List<dev.baton.tracing.SpanRecord> spans = List.of();
      if (started != null) {
        out = RunTracing.carry(out, RunTracing.decision(in));
        spans = tracing.spans(in, decision, before, template, started, Instant.now());
      }
      boolean changed = decision.state() != null && !decision.state().equals(before);
      SaveRequest save =
          changed
              ? SaveRequests.of(in, partition, epoch, stored.version(), before, decision, out)
              : null;
      return new Decided(decision, out, save, before, spans);
    } finally {
      MDC.remove("runId");
    }
  }

  /**
   * A cached job's lookup, answered from the result cache: the stored result's outputs and origin
   * ({@code source}; null when there is none). What the command carried in those fields is dropped,
   * so a command written by anyone else cannot make up a result.
   */
  private EngineEvent answerLookup(EngineEvent event, RunState state) {
    return dev.baton.engine.decide.CacheLookups.answer(
        event,
        command -> {
          var job = state == null || command.getJob() == null ? null : state.job(command.getJob());
          if (job == null
              || !job.inLookup()
              || !Integer.valueOf(job.attempt()).equals(command.getAttempt())) {
            return java.util.Optional.empty();
          }
          var hit =
              counters.timeRedis(
                  "cache-lookup",
                  () -> runs.cachedResult(state.template(), job.name(), job.cacheKey()));
          counters.cacheLookup(hit.isPresent());
          return hit.map(
              h -> new dev.baton.engine.decide.CacheLookups.Hit(h.outputs(), h.describe()));
        });
  }

  /** A record applied on its own, from Redis: for records whose batched save was refused. */
  private List<OutboundRecord> applyOne(Input in) {
    for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      RunCache.Entry hit = cache.get(in.runId());
      if (hit != null && hit.applied(in.eventId())) {
        return settle(Outcome.appliedHere(in, hit.state()));
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
          new Outcome(
              in,
              Outcome.Kind.DECIDED,
              d.decision(),
              d.out(),
              -1,
              d.before(),
              null,
              d.save() == null ? null : d.save().followUp(),
              d.spans()));
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
    if (o.followUp() != null) {
      followUps.add(o.followUp().byEpoch(epoch)); // a re-emitted one, under this task's claim
    } else if (in.event() instanceof EngineEvent.TimerDue t) {
      // A fired timer is consumed whatever its decision: one that changed nothing would fire again.
      followUps.add(FollowUp.timerDone(in.runId(), partition, epoch, t.timer().getEventId()));
    }
    switch (o.kind()) {
      case DUPLICATE -> {
        dropDuplicate(in, o.state(), o.appliedBy());
        String refused = refusedTrigger(in, o.state());
        if (refused != null) {
          counters.deadLettered(refused);
          return outbounds.of(List.of(new EngineCommand.RefuseTrigger(refused)), in.source());
        }
      }
      case REEMIT -> {
        counters.reemitted.incrementAndGet();
        LOG.info(
            "event {} was applied by this record before its transaction aborted; re-emitting {} records",
            in.eventId(),
            o.out().size());
      }
      case DECIDED -> {
        boolean changed = o.decision().state() != null && !o.decision().state().equals(o.state());
        if (!changed && SaveRequests.isAdmit(in.event()) && o.state() != null) {
          runs.admitted(
              o.state().template(),
              in.runId()); // an admission that is moot (the run was cancelled)
          if (o.state().status().isFinal() && runs.tenantRuns() != null) {
            runs.tenantRuns().ended(o.state().tenantName(), in.runId());
          }
        }
        DecisionLog.log(counters, in, o.decision());
        tracing.export(o.spans());
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

  /** Why a trigger found applied before is refused for all to see; null for a quiet duplicate. */
  private static String refusedTrigger(Input in, RunState state) {
    return in.event() instanceof EngineEvent.TriggerReceived t && state != null
        ? TriggerChecks.forExistingRun(state, t.trigger())
        : null;
  }

  private Outcome replayOrDrop(Input in, StoredRun stored) {
    AppliedEvent applied = stored.applied();
    if (applied.sameRecord(in.source().topic(), in.source().partition(), in.source().offset())) {
      return new Outcome(
          in,
          Outcome.Kind.REEMIT,
          null,
          applied.produced(),
          -1,
          stored.state(),
          null,
          applied.followUp(),
          List.of());
    }
    return new Outcome(
        in,
        Outcome.Kind.DUPLICATE,
        null,
        List.of(),
        -1,
        stored.state(),
        applied.topic() + "-" + applied.partition() + "@" + applied.offset(),
        null,
        List.of());
  }

  private void dropDuplicate(Input in, RunState state, String appliedBy) {
    counters.duplicates.incrementAndGet();
    if (SaveRequests.isAdmit(in.event()) && state != null) {
      runs.admitted(state.template(), in.runId());
    }
    LOG.debug("event {} already applied (by {}); duplicate dropped", in.eventId(), appliedBy);
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
}
