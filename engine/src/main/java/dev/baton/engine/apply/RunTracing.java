package dev.baton.engine.apply;

import dev.baton.engine.decide.Children;
import dev.baton.engine.decide.Decision;
import dev.baton.engine.decide.EngineCommand;
import dev.baton.engine.decide.EngineEvent;
import dev.baton.engine.decide.JobState;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.events.JobCompletion;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.events.TimerFired;
import dev.baton.events.TimerKind;
import dev.baton.security.AttemptTokens;
import dev.baton.template.JobSpec;
import dev.baton.template.Template;
import dev.baton.tracing.SpanRecord;
import dev.baton.tracing.Spans;
import dev.baton.tracing.TraceIds;
import dev.baton.tracing.Traceparent;
import io.opentelemetry.api.trace.SpanKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Header;

/**
 * The engine's part of a run's trace (one trace per run, ids from {@link TraceIds}). For each
 * record it applies: a span for the record's way to the engine (from its timestamp to its
 * decision), a child span for the decision, which every record the decision produces carries in its
 * {@code traceparent} header; a span for each job attempt the decision ends (from the attempt's
 * start to its report, child of its dispatch span, which the dispatcher writes); the run's own
 * span, the root, when the run ends. A record's span is a child of the run's span, a report's (and
 * a retry's timer's) of its attempt's: what the record's {@code traceparent} header names instead
 * (the service that sent a trigger, a parent run, or a forged span) is linked, not followed, so no
 * record can move a run's spans.
 */
public final class RunTracing {
  private static final Set<RunEventType> ENDS_ATTEMPT =
      Set.of(
          RunEventType.JOB_SUCCEEDED,
          RunEventType.JOB_FAILED,
          RunEventType.JOB_RETRYING,
          RunEventType.JOB_CANCELLED);
  private static final int MAX_EVENTS_TEXT = 1024;

  private final Spans spans;

  public RunTracing(Spans spans) {
    this.spans = spans;
  }

  public boolean on() {
    return spans.on();
  }

  /** The span of the decision on {@code in}: the parent of what it produces. */
  public static Traceparent decision(RunApplier.Input in) {
    return TraceIds.span(in.runId(), "decide", in.eventId());
  }

  /** {@code out}, each record carrying {@code context} in its {@code traceparent} header. */
  public static List<OutboundRecord> carry(List<OutboundRecord> out, Traceparent context) {
    List<OutboundRecord> carried = new ArrayList<>(out.size());
    byte[] value = context.bytes();
    for (OutboundRecord o : out) {
      Map<String, byte[]> headers = new HashMap<>(o.headers());
      headers.put(Traceparent.HEADER, value);
      carried.add(new OutboundRecord(o.topic(), o.key(), o.value(), headers));
    }
    return carried;
  }

  /** The spans of one applied record: its way in, its decision, the attempts and run it ends. */
  public List<SpanRecord> spans(
      RunApplier.Input in,
      Decision decision,
      RunState before,
      Template template,
      Instant started,
      Instant decided) {
    String runId = in.runId();
    RunState state = decision.state() != null ? decision.state() : before;
    String templateName = state == null ? null : state.template();
    Traceparent header = header(in.source());
    Traceparent parent = inputParent(in.event());
    Instant arrived = Instant.ofEpochMilli(in.source().timestamp());
    if (arrived.isAfter(started)) {
      arrived = started; // a producer's clock ahead of this one
    }
    List<SpanRecord> out = new ArrayList<>(4);
    Traceparent input = TraceIds.span(runId, "input", in.eventId());
    SpanRecord received =
        SpanRecord.of(inputName(in.event()), input, parent)
            .kind(SpanKind.CONSUMER)
            .between(arrived, started)
            .attribute("baton.run.id", runId)
            .attribute("baton.template", templateName)
            .attribute("baton.event.id", in.eventId())
            .attribute("messaging.destination.name", in.source().topic())
            .attribute("messaging.kafka.offset", in.source().offset())
            .link(parent.equals(header) ? null : header);
    out.add(received);
    StringBuilder events = new StringBuilder();
    for (EngineCommand c : decision.commands()) {
      if (c instanceof EngineCommand.EmitRunEvent e) {
        RunEvent ev = e.event();
        if (events.length() < MAX_EVENTS_TEXT) {
          events.append(events.isEmpty() ? "" : ", ").append(ev.getType());
          if (ev.getJob() != null) {
            events.append(' ').append(ev.getJob());
          }
        }
        if (ENDS_ATTEMPT.contains(ev.getType()) && ev.getAttempt() != null) {
          out.add(attempt(runId, ev, in.event(), before, template, decided));
        }
      }
    }
    SpanRecord decide =
        SpanRecord.of("decide", decision(in), input)
            .between(started, decided)
            .attribute("baton.run.id", runId)
            .attribute("baton.template", templateName)
            .attribute("baton.run.status", state == null ? null : state.status().name())
            .attribute("baton.events", events.toString());
    out.add(1, decide);
    if (decision.state() != null
        && decision.state().status().isFinal()
        && (before == null || !before.status().isFinal())) {
      out.add(run(decision.state(), decided));
    }
    return out;
  }

  public void export(List<SpanRecord> records) {
    for (SpanRecord r : records) {
      spans.add(r);
    }
  }

  private static Traceparent header(InputRecord source) {
    Header h = source.headers().lastHeader(Traceparent.HEADER);
    return h == null ? null : Traceparent.parse(h.value());
  }

  /**
   * A report's span continues its attempt's, and so does a retry's or an attempt's timeout timer:
   * the retry follows the attempt that failed. Any other record's span is the run's child.
   */
  private static Traceparent inputParent(EngineEvent event) {
    if (event instanceof EngineEvent.JobCompleted c) {
      return TraceIds.attempt(c.runId(), AttemptTokens.attemptId(c.completion()));
    }
    if (event instanceof EngineEvent.TimerDue t
        && (t.timer().getKind() == TimerKind.RETRY || t.timer().getKind() == TimerKind.JOB_TIMEOUT)
        && t.timer().getJob() != null
        && t.timer().getAttempt() != null) {
      TimerFired timer = t.timer();
      return TraceIds.attempt(
          t.runId(),
          JobState.attemptId(t.runId(), timer.getJob(), timer.getItem(), timer.getAttempt()));
    }
    return TraceIds.run(event.runId());
  }

  private static String inputName(EngineEvent event) {
    if (event instanceof EngineEvent.JobCompleted c) {
      JobCompletion done = c.completion();
      return "report "
          + done.getJob()
          + (done.getItem() == null ? "" : "[" + done.getItem() + "]")
          + " "
          + done.getStatus();
    }
    if (event instanceof EngineEvent.CommandReceived c) {
      return "command " + c.command().getType();
    }
    if (event instanceof EngineEvent.TimerDue t) {
      return "timer " + t.timer().getKind();
    }
    return "trigger";
  }

  /**
   * An attempt that ended: from its start (as its runtime reported it) to its report (for a child
   * run, to the decision on its report). A dispatched attempt is a child of its dispatch; a wait, a
   * cached lookup or a child run is a child of the run.
   */
  private static SpanRecord attempt(
      String runId,
      RunEvent ev,
      EngineEvent input,
      RunState before,
      Template template,
      Instant decided) {
    String attemptId = JobState.attemptId(runId, ev.getJob(), ev.getItem(), ev.getAttempt());
    JobSpec spec = template == null ? null : template.job(ev.getJob()).orElse(null);
    boolean dispatched = spec != null && !spec.waits() && !spec.runsTemplate();
    Instant end = decided;
    Instant start = ev.getStartedAt();
    if (input instanceof EngineEvent.JobCompleted c
        && AttemptTokens.attemptId(c.completion()).equals(attemptId)) {
      JobCompletion done = c.completion();
      if (done.getEndedAt() != null) {
        end = done.getEndedAt();
      }
      if (start == null && done.getStartedAt() != null) {
        start = done.getStartedAt();
      }
    }
    if (spec != null && spec.runsTemplate() && decided.isAfter(end)) {
      // A child run's report carries the time its run ended, but the child's own span ends when
      // its engine decided that end, a delivery later: the attempt covers its child's whole span.
      end = decided;
    }
    if (start == null) {
      start = startedBefore(before, ev);
    }
    if (start == null || start.isAfter(end)) {
      start = end;
    }
    SpanRecord span =
        SpanRecord.of(
                "job "
                    + ev.getJob()
                    + (ev.getItem() == null ? "" : "[" + ev.getItem() + "]")
                    + " #"
                    + ev.getAttempt(),
                TraceIds.attempt(runId, attemptId),
                dispatched ? TraceIds.dispatch(runId, attemptId) : TraceIds.run(runId))
            .between(start, end)
            .attribute("baton.run.id", runId)
            .attribute("baton.job", ev.getJob())
            .attribute("baton.attempt", ev.getAttempt())
            .attribute("baton.attempt.id", attemptId)
            .attribute("baton.job.result", ev.getType().name());
    if (ev.getItem() != null) {
      span.attribute("baton.item", ev.getItem());
    }
    if (ev.getExitCode() != null) {
      span.attribute("process.exit.code", ev.getExitCode());
    }
    if (spec != null && spec.runsTemplate()) {
      span.link(TraceIds.run(Children.runId(runId, ev.getJob(), ev.getItem(), ev.getAttempt())));
    }
    if (ev.getType() != RunEventType.JOB_SUCCEEDED) {
      span.error(ev.getDetail());
    }
    return span;
  }

  /**
   * When the attempt started as the run knew it before this decision: a wait, a lookup or a child
   * run has no runtime to report its start, but the run dispatched it.
   */
  private static Instant startedBefore(RunState before, RunEvent ev) {
    if (before == null) {
      return null;
    }
    if (ev.getItem() != null) {
      var item = before.item(ev.getJob(), ev.getItem());
      return item != null && item.attempt() == ev.getAttempt() ? item.startedAt() : null;
    }
    JobState job = before.job(ev.getJob());
    if (job == null || job.attempt() != ev.getAttempt()) {
      return null;
    }
    return job.startedAt() != null ? job.startedAt() : job.dispatchedAt();
  }

  /** The run's span, the root of its trace; a child run's links to its parent's attempt. */
  private static SpanRecord run(RunState state, Instant decided) {
    // Until the decision that ended it was made: the run's last spans end there.
    Instant end =
        state.endedAt() == null || state.endedAt().isBefore(decided) ? decided : state.endedAt();
    Instant start =
        state.createdAt() == null || state.createdAt().isAfter(end) ? end : state.createdAt();
    SpanRecord span =
        SpanRecord.of("run " + state.template(), TraceIds.run(state.runId()), null)
            .between(start, end)
            .attribute("baton.run.id", state.runId())
            .attribute("baton.template", state.template())
            .attribute("baton.template.version", state.templateVersion())
            .attribute("baton.tenant", state.tenantName())
            .attribute("baton.run.status", state.status().name());
    if (state.parent() != null) {
      span.link(TraceIds.attempt(state.parent().runId(), state.parent().attemptId()));
    }
    if (state.status() != RunStatus.SUCCEEDED) {
      span.error(state.detail());
    }
    return span;
  }
}
