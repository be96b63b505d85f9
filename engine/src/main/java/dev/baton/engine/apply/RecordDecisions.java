package dev.baton.engine.apply;

import dev.baton.engine.decide.ArtifactItems;
import dev.baton.engine.decide.CacheLookups;
import dev.baton.engine.decide.Decider;
import dev.baton.engine.decide.Decision;
import dev.baton.engine.decide.EngineEvent;
import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.decide.RunQuotas;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.engine.state.RunStore;
import dev.baton.engine.state.SaveRequest;
import dev.baton.engine.state.StoredRun;
import dev.baton.events.WorkflowTrigger;
import dev.baton.template.Template;
import dev.baton.tracing.SpanRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The decision for one input record of {@link RunApplier}: the run's template, a cached step's
 * lookup answered, the decision and its records (refused when Kafka could not take them), the run's
 * summary when it ends, its spans, and the save it needs.
 */
public final class RecordDecisions {
  private static final Logger LOG = LoggerFactory.getLogger(RunApplier.class);

  private final RunStore runs;
  private final TemplateLookup templates;
  private final Outbounds outbounds;
  private final EngineCounters counters;
  private final RunLoader loader;
  private final RunQuotas quotas;
  private final boolean runHistory;
  private final RunTracing tracing;
  private final Function<String, ArtifactItems> artifactItems;
  private final int partition;
  private final long epoch;

  public RecordDecisions(
      ApplyServices services,
      TemplateLookup templates,
      RunLoader loader,
      int partition,
      long epoch) {
    this.runs = services.runs();
    this.templates = templates;
    this.outbounds = services.outbounds();
    this.counters = services.counters();
    this.loader = loader;
    this.quotas = services.quotas();
    this.runHistory = services.runHistory();
    this.tracing = services.tracing();
    this.artifactItems = services.artifactItems();
    this.partition = partition;
    this.epoch = epoch;
  }

  public record Decided(
      Decision decision,
      List<OutboundRecord> out,
      SaveRequest save,
      RunState before,
      List<SpanRecord> spans) {}

  /** The decision for one record, and the save it needs (null when the run did not change). */
  public Decided decide(
      RunApplier.Input in, StoredRun stored, Map<String, ItemState> unsavedItems) {
    EngineEvent event = answerLookup(in.event(), stored.state());
    MDC.put("runId", event.runId());
    try {
      Template template = templateFor(event, stored.state(), in.source().timestamp());
      Instant now = Instant.ofEpochMilli(in.source().timestamp());
      Instant started = tracing.on() ? Instant.now() : null;
      Needs.Decided decided =
          Needs.decide(
              stored.state(),
              event,
              template,
              now,
              quotas,
              query -> loader.items(event.runId(), query, unsavedItems),
              artifactItems);
      RunState before = decided.before();
      Decision decision = decided.decision();
      decision.causedBy(in.eventId());
      List<OutboundRecord> out = outbounds.of(decision.commands(), in.source());
      Instant lost = runs.dataLostAt();
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
      List<SpanRecord> spans = List.of();
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
   * The answer to a trigger for a run that exists, found applied before: TRIGGER_REPEATED with the
   * run's status (and result, if it ended), and the trigger refused when it named the run's id.
   */
  public Decision repeatedTrigger(RunApplier.Input in, RunState state, WorkflowTrigger trigger) {
    Template template = templates.version(state.template(), state.templateVersion());
    Decision d =
        Decider.repeatedTrigger(
            state, trigger, template, Instant.ofEpochMilli(in.source().timestamp()));
    d.causedBy(in.eventId());
    return d;
  }

  /**
   * A cached job's lookup, answered from the result cache: the stored result's outputs and origin
   * ({@code source}; null when there is none). What the command carried in those fields is dropped,
   * so a command written by anyone else cannot make up a result.
   */
  private EngineEvent answerLookup(EngineEvent event, RunState state) {
    return CacheLookups.answer(
        event,
        command -> {
          var job = state == null || command.getJob() == null ? null : state.job(command.getJob());
          if (job == null
              || !job.inLookup()
              || !Integer.valueOf(job.attempt()).equals(command.getAttempt())) {
            return Optional.empty();
          }
          var hit =
              counters.timeRedis(
                  "cache-lookup",
                  () -> runs.cachedResult(state.template(), job.name(), job.cacheKey()));
          counters.cacheLookup(hit.isPresent());
          return hit.map(h -> new CacheLookups.Hit(h.outputs(), h.describe()));
        });
  }

  private Template templateFor(EngineEvent event, RunState state, long sentAtMillis) {
    if (state != null) {
      return templates.version(state.template(), state.templateVersion());
    }
    if (event instanceof EngineEvent.TriggerReceived t) {
      return templates.forTrigger(
          t.trigger().getTemplate(), t.trigger().getTemplateVersion(), sentAtMillis);
    }
    return null;
  }
}
