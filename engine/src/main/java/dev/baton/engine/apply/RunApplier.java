package dev.baton.engine.apply;

import dev.baton.engine.decide.Decision;
import dev.baton.engine.decide.EngineCommand;
import dev.baton.engine.decide.EngineEvent;
import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.AppliedEvent;
import dev.baton.engine.state.FollowUp;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.engine.state.RunRepository;
import dev.baton.engine.state.SaveRequest;
import dev.baton.engine.state.SaveResult;
import dev.baton.engine.state.StoredRun;
import dev.baton.events.DispatchAction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
public final class RunApplier {
  private static final Logger LOG = LoggerFactory.getLogger(RunApplier.class);
  private static final int MAX_CAS_ATTEMPTS = 20;

  /** A record to apply: its event and the id it is applied under, or why it cannot be read. */
  public record Input(InputRecord source, EngineEvent event, String eventId, String error) {
    String runId() {
      return event.runId();
    }
  }

  private final RunRepository runs;
  private final Outbounds outbounds;
  private final EngineCounters counters;
  private final RunCache cache;
  private final int partition;
  private final long epoch;
  private final RunLoader loader;
  private final AfterBatch afterBatch;
  private final RecordDecisions decisions;
  private final SlotGate slots;
  private final RunTracing tracing;

  /** The apply of the task that owns {@code partition}, under its claim {@code epoch}. */
  public RunApplier(
      ApplyServices services, TemplateLookup templates, RunCache cache, int partition, long epoch) {
    this.tracing = services.tracing();
    this.slots = services.slots();
    this.runs = services.runs();
    this.outbounds = services.outbounds();
    this.counters = services.counters();
    this.cache = cache;
    this.partition = partition;
    this.epoch = epoch;
    this.loader = new RunLoader(runs, counters, cache);
    this.afterBatch = new AfterBatch(runs, counters);
    this.decisions = new RecordDecisions(services, templates, loader, partition, epoch);
  }

  /** Applies {@code inputs} in order and returns each one's outputs, in the same order. */
  public List<List<OutboundRecord>> apply(List<Input> inputs) {
    List<StoredRun> loaded = loader.uncached(inputs);
    Map<String, Map<String, ItemState>> unsavedItems = new HashMap<>();
    List<SaveRequest> saves = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>(inputs.size());
    Set<Integer> folded = FoldedStarts.in(inputs);
    for (int i = 0; i < inputs.size(); i++) {
      outcomes.add(
          folded.contains(i)
              ? new Outcome.Folded(inputs.get(i))
              : decideInBatch(inputs.get(i), loaded.get(i), unsavedItems, saves));
    }
    List<SaveResult> results =
        saves.isEmpty() ? List.of() : counters.timeRedis("save-batch", () -> runs.saveAll(saves));
    Set<String> redo = new HashSet<>();
    List<List<OutboundRecord>> outputs = new ArrayList<>(inputs.size());
    for (Outcome o : outcomes) {
      if (o instanceof Outcome.DeadLetter) {
        outputs.add(o.out());
        continue;
      }
      String runId = o.input().runId();
      if (!redo.contains(runId)
          && o instanceof Outcome.Decided d
          && d.save().isPresent()
          && results.get(d.save().getAsInt()) != SaveResult.SAVED) {
        redo.add(runId);
        cache.remove(runId);
        refused(runId, o.input().eventId(), results.get(d.save().getAsInt()));
      }
      outputs.add(redo.contains(runId) ? applyOne(o.input()) : settle(o));
    }
    cache.trim();
    afterBatch.write();
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

  /** Forgets the runs held in memory: after this, every run is loaded from Redis again. */
  public void forget() {
    cache.clear();
    afterBatch.forgetFollowUps(); // a re-emitted record makes its follow-up again
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
      return new Outcome.DeadLetter(
          in, outbounds.of(List.of(new EngineCommand.Reject(in.error())), in.source()));
    }
    RunCache.Entry hit = cache.get(in.runId());
    if (hit != null && hit.applied(in.eventId())) {
      return Outcome.Duplicate.appliedHere(in, hit.state());
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
    RecordDecisions.Decided d = decisions.decide(in, stored, overlay);
    OptionalInt saveIndex = OptionalInt.empty();
    if (d.save() != null) {
      saveIndex = OptionalInt.of(saves.size());
      saves.add(d.save());
      unsavedItems
          .computeIfAbsent(in.runId(), k -> new HashMap<>())
          .putAll(d.save().changedItems());
      cache.put(
          in.runId(), d.decision().state().withoutItems(), stored.version() + 1, in.eventId());
    }
    return Outcome.Decided.of(
        in, d.decision(), d.out(), saveIndex, d.before(), d.save(), d.spans());
  }

  /** A record applied on its own, from Redis: for records whose batched save was refused. */
  private List<OutboundRecord> applyOne(Input in) {
    for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      RunCache.Entry hit = cache.get(in.runId());
      if (hit != null && hit.applied(in.eventId())) {
        return settle(Outcome.Duplicate.appliedHere(in, hit.state()));
      }
      StoredRun stored =
          hit != null
              ? new StoredRun(hit.state(), hit.version(), null)
              : counters.timeRedis("load", () -> runs.load(in.runId(), in.eventId()));
      if (stored.applied() != null) {
        return settle(replayOrDrop(in, stored));
      }
      RecordDecisions.Decided d = decisions.decide(in, stored, Map.of());
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
          Outcome.Decided.of(
              in, d.decision(), d.out(), OptionalInt.empty(), d.before(), d.save(), d.spans()));
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
      afterBatch.followUp(o.followUp().byEpoch(epoch)); // a re-emitted one, under this task's claim
    } else if (in.event() instanceof EngineEvent.TimerDue t) {
      // A fired timer is consumed whatever its decision: one that changed nothing would fire again.
      afterBatch.followUp(FollowUp.timerDone(in.runId(), partition, epoch, t.timer().getEventId()));
    }
    if (o instanceof Outcome.Duplicate dup) {
      dropDuplicate(in, dup.state(), dup.appliedBy());
      if (in.event() instanceof EngineEvent.TriggerReceived t && dup.state() != null) {
        Decision answer = decisions.repeatedTrigger(in, dup.state(), t.trigger());
        for (EngineCommand c : answer.commands()) {
          if (c instanceof EngineCommand.RefuseTrigger r) {
            counters.deadLettered(r.reason());
          }
        }
        return outbounds.of(answer.commands(), in.source());
      }
    } else if (o instanceof Outcome.Folded) {
      counters.folded.incrementAndGet();
      LOG.debug("{}: its end report follows in the batch", in.eventId());
    } else if (o instanceof Outcome.Reemit) {
      counters.reemitted.incrementAndGet();
      LOG.info(
          "event {} was applied by this record before its transaction aborted; re-emitting {} records",
          in.eventId(),
          o.out().size());
    } else if (o instanceof Outcome.Decided d) {
      settleDecided(in, d);
    }
    return o.out();
  }

  /** Counts, logs and traces a decision whose save (if any) is written. */
  private void settleDecided(Input in, Outcome.Decided o) {
    boolean changed = o.decision().state() != null && !o.decision().state().equals(o.before());
    if (!changed && SaveRequests.isAdmit(in.event()) && o.before() != null) {
      runs.admitted(o.before().template(), in.runId()); // an admission that is moot (cancelled)
      if (o.before().status().isFinal() && runs.tenantRuns() != null) {
        runs.tenantRuns().ended(o.before().tenantName(), in.runId());
      }
    }
    DecisionLog.log(counters, in, o.decision());
    tracing.export(o.spans());
    for (EngineCommand c : o.decision().commands()) {
      if (c instanceof EngineCommand.DispatchJob d
          && d.dispatch().getAction() == DispatchAction.STOP) {
        afterBatch.stopped(d.dispatch().getAttemptId());
      }
    }
    counters.decided(
        o.decision().commands(),
        in.source().kind() == Inbound.Kind.COMPLETION,
        in.source().timestamp());
  }

  private Outcome replayOrDrop(Input in, StoredRun stored) {
    AppliedEvent applied = stored.applied();
    if (applied.sameRecord(in.source().topic(), in.source().partition(), in.source().offset())) {
      return new Outcome.Reemit(in, applied.produced(), applied.followUp());
    }
    return new Outcome.Duplicate(
        in, stored.state(), applied.topic() + "-" + applied.partition() + "@" + applied.offset());
  }

  private void dropDuplicate(Input in, RunState state, String appliedBy) {
    counters.duplicates.incrementAndGet();
    if (SaveRequests.isAdmit(in.event()) && state != null) {
      runs.admitted(state.template(), in.runId());
    }
    LOG.debug("event {} already applied (by {}); duplicate dropped", in.eventId(), appliedBy);
  }
}
