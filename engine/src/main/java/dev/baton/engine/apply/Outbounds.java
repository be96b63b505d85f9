package dev.baton.engine.apply;

import dev.baton.engine.correlate.CorrelationRecord;
import dev.baton.engine.decide.Effects;
import dev.baton.engine.decide.EngineCommand;
import dev.baton.engine.decide.JobState;
import dev.baton.engine.decide.RunQuotas;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.engine.state.RunSummary;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.events.ParentRun;
import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.events.TimerFired;
import dev.baton.events.WorkflowTrigger;
import dev.baton.security.AttemptTokens;
import dev.baton.security.CommandSignatures;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import dev.baton.tracing.TraceIds;
import dev.baton.tracing.Traceparent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.header.Header;

/**
 * Turns a decision's commands into the records to produce: dispatches, lifecycle events, dead
 * letters.
 */
public final class Outbounds {
  private final Topics topics;
  private final Wire wire;
  private final AttemptTokens tokens;

  private final Predicate<String> topicExists;

  public Outbounds(Topics topics, Wire wire, AttemptTokens tokens) {
    this(topics, wire, tokens, topic -> true);
  }

  /** {@code topicExists}: whether a topic of a template's (an emit's, a service's) exists now. */
  public Outbounds(Topics topics, Wire wire, AttemptTokens tokens, Predicate<String> topicExists) {
    this.topics = topics;
    this.wire = wire;
    this.tokens = tokens;
    this.topicExists = topicExists;
  }

  public List<OutboundRecord> of(List<EngineCommand> commands, InputRecord input) {
    return of(Effects.of(commands), input);
  }

  /**
   * The records a decision produces: its dispatches, its run events, and a dead letter for each
   * rejection.
   */
  public List<OutboundRecord> of(Effects effects, InputRecord input) {
    List<OutboundRecord> out = new ArrayList<>();
    for (JobDispatch d : effects.dispatches()) {
      out.add(
          new OutboundRecord(
              topics.dispatch(), d.getRunId(), wire.encode(topics.dispatch(), d), Map.of()));
    }
    for (Effects.Await a : effects.awaits()) {
      out.add(correlation(a));
    }
    for (RunEvent e : effects.events()) {
      out.add(
          new OutboundRecord(
              topics.events(), e.getRunId(), wire.encode(topics.events(), e), Map.of()));
    }
    for (EngineCommand.Produce p : effects.produced()) {
      out.add(produced(p));
    }
    for (EngineCommand.LookupCache l : effects.lookups()) {
      out.add(command(l.runId(), CommandSignatures.signed(lookup(l, input.timestamp()), tokens)));
    }
    for (EngineCommand.CancelRun c : effects.cancels()) {
      out.add(command(c.runId(), cancel(c, input.timestamp())));
    }
    for (WorkflowTrigger t : effects.children()) {
      out.add(child(t));
    }
    for (JobCompletion c : effects.reports()) {
      c.setToken(tokens.forDispatcher(AttemptTokens.attemptId(c)));
      out.add(
          new OutboundRecord(
              topics.completions(), c.getRunId(), wire.encode(topics.completions(), c), Map.of()));
    }
    for (String reason : effects.refusedTriggers()) {
      out.add(deadLetter(input, reason));
    }
    for (String reason : effects.rejections()) {
      out.add(deadLetter(input, reason));
      if (input.kind() == Inbound.Kind.TRIGGER) {
        out.add(rejected(input.key(), reason, input.timestamp()));
      }
    }
    return out;
  }

  /** Headers a service reads its request's coordinates from, to answer without parsing it. */
  public static final String RUN_ID = "baton-run-id";

  public static final String JOB = "baton-job";
  public static final String ATTEMPT = "baton-attempt";
  public static final String ITEM = "baton-item";
  public static final String ATTEMPT_ID = "baton-attempt-id";
  public static final String ATTEMPT_TOKEN = "baton-attempt-token";
  public static final String REPLY_TOPIC = "baton-reply-topic";

  /** When the attempt times out: a reply after it is not applied, so a service may skip it. */
  public static final String DEADLINE = "baton-deadline";

  /**
   * An emit step's event, or a service step's request with the headers a service answers with: the
   * attempt's coordinates, the token its completion must carry, where to send it, and the attempt's
   * span.
   */
  private OutboundRecord produced(EngineCommand.Produce p) {
    Map<String, byte[]> headers = new LinkedHashMap<>();
    EngineCommand.ServiceRequest r = p.request();
    if (r != null) {
      String attemptId = r.attemptId();
      headers.put(RUN_ID, bytes(r.runId()));
      headers.put(JOB, bytes(r.job()));
      headers.put(ATTEMPT, bytes(Integer.toString(r.attempt())));
      if (r.item() != null) {
        headers.put(ITEM, bytes(Integer.toString(r.item())));
      }
      headers.put(ATTEMPT_ID, bytes(attemptId));
      headers.put(ATTEMPT_TOKEN, bytes(tokens.forJob(attemptId)));
      headers.put(REPLY_TOPIC, bytes(topics.completions()));
      if (r.deadline() != null) {
        headers.put(DEADLINE, bytes(r.deadline().toString()));
      }
      headers.put(Traceparent.HEADER, TraceIds.attempt(r.runId(), attemptId).bytes());
    }
    return new OutboundRecord(
        p.topic(), p.key(), p.value().getBytes(StandardCharsets.UTF_8), headers);
  }

  private OutboundRecord command(String runId, RunCommand command) {
    return new OutboundRecord(
        topics.commands(), runId, wire.encode(topics.commands(), command), Map.of());
  }

  /** A cached job's lookup, answered by the engine when it applies it. */
  private static RunCommand lookup(EngineCommand.LookupCache l, long timestamp) {
    return RunCommand.newBuilder()
        .setEventId(JobState.attemptId(l.runId(), l.job(), l.attempt()) + "/cache")
        .setRunId(l.runId())
        .setOccurredAt(Instant.ofEpochMilli(timestamp))
        .setType(RunCommandType.CACHE_LOOKUP)
        .setJob(l.job())
        .setAttempt(l.attempt())
        .build();
  }

  private static RunCommand cancel(EngineCommand.CancelRun c, long timestamp) {
    return RunCommand.newBuilder()
        .setEventId("cancel:" + c.runId())
        .setRunId(c.runId())
        .setOccurredAt(Instant.ofEpochMilli(timestamp))
        .setType(RunCommandType.CANCEL)
        .setReason(c.reason())
        .setSource("engine")
        .build();
  }

  /** A child run's trigger, its link to the parent's attempt signed by the engine. */
  private OutboundRecord child(WorkflowTrigger t) {
    ParentRun p = t.getParent();
    p.setToken(
        tokens.forChild(
            t.getRunId(),
            JobState.attemptId(p.getRunId(), p.getJob(), p.getItem(), p.getAttempt())));
    return new OutboundRecord(
        topics.triggers(), t.getRunId(), wire.encode(topics.triggers(), t), Map.of());
  }

  /** A wait step's attempt starts or stops waiting: to the correlations topic, by its key. */
  private OutboundRecord correlation(Effects.Await a) {
    CorrelationRecord r =
        a.start()
            ? new CorrelationRecord.Await(
                a.topic(),
                a.key(),
                a.runId(),
                a.job(),
                a.attempt(),
                a.rule(),
                a.until() == null ? null : a.until().toEpochMilli())
            : new CorrelationRecord.Stop(a.topic(), a.key(), a.runId(), a.job(), a.attempt());
    return new OutboundRecord(
        topics.correlations(),
        CorrelationRecord.key(a.topic(), a.key()),
        CorrelationRecord.encode(r),
        Map.of());
  }

  /**
   * Most bytes of one produced record (key, value and headers): under the producer's and broker's 1
   * MiB defaults with room for the record's framing.
   */
  public static final int MAX_RECORD_BYTES = 1_000_000;

  /**
   * What keeps one of {@code out} from being written (larger than {@link #MAX_RECORD_BYTES}, or for
   * a template's topic that does not exist), or null when each can be.
   */
  public String unwritable(List<OutboundRecord> out) {
    String tooLarge = oversized(out);
    if (tooLarge != null) {
      return tooLarge;
    }
    for (OutboundRecord r : out) {
      if (!topics.eventTopics().contains(r.topic())
          && !r.topic().equals(topics.history())
          && !topicExists.test(r.topic())) {
        return "a record for topic " + r.topic() + ", which does not exist";
      }
    }
    return null;
  }

  /** What makes one of {@code out} larger than {@link #MAX_RECORD_BYTES}, or null when none is. */
  public String oversized(List<OutboundRecord> out) {
    for (OutboundRecord r : out) {
      long size =
          (r.key() == null ? 0 : r.key().length() * 3L)
              + (r.value() == null ? 0 : r.value().length);
      for (Map.Entry<String, byte[]> h : r.headers().entrySet()) {
        size += h.getKey().length() + (h.getValue() == null ? 0 : h.getValue().length);
      }
      if (size > MAX_RECORD_BYTES) {
        return "a record of "
            + size
            + " bytes for "
            + r.topic()
            + "; the limit is "
            + MAX_RECORD_BYTES;
      }
    }
    return null;
  }

  /** A due timer, fed back to the engine on its timers topic. */
  public OutboundRecord timer(TimerFired timer) {
    return new OutboundRecord(
        topics.timers(), timer.getRunId(), wire.encode(topics.timers(), timer), Map.of());
  }

  /**
   * A queued run may start: an ADMIT command on the commands topic, to the task that owns the run.
   */
  public OutboundRecord admit(String runId, Instant now) {
    return admit(runId, now, "admit:", "a slot is free");
  }

  /** The ADMIT that lets a run out of its tenant's queue (its own event id: not a duplicate). */
  public OutboundRecord admitForTenant(String runId, Instant now) {
    return admit(runId, now, "admit-tenant:", RunQuotas.TENANT_ADMISSION);
  }

  private OutboundRecord admit(String runId, Instant now, String idPrefix, String reason) {
    RunCommand command =
        RunCommand.newBuilder()
            .setEventId(idPrefix + runId)
            .setRunId(runId)
            .setOccurredAt(now)
            .setType(RunCommandType.ADMIT)
            .setReason(reason)
            .build();
    return command(runId, CommandSignatures.signed(command, tokens));
  }

  /** An ended run's summary for the history topic, keyed by run id (kept 30 days). */
  public OutboundRecord history(RunState ended) {
    return new OutboundRecord(topics.history(), ended.runId(), RunSummary.of(ended), Map.of());
  }

  /** A run whose state Redis lost ends visibly: a RUN_FAILED event with the reason. */
  public OutboundRecord forgotten(String runId, String reason, long timestamp) {
    return runEvent(runId, runId + "/forgotten", RunEventType.RUN_FAILED, reason, timestamp);
  }

  /**
   * A refused trigger is also announced on the events topic, so whoever follows the run learns why
   * at once.
   */
  private OutboundRecord rejected(String runId, String reason, long timestamp) {
    return runEvent(
        runId, runId + "/" + RunEventType.REJECTED, RunEventType.REJECTED, reason, timestamp);
  }

  private OutboundRecord runEvent(
      String runId, String eventId, RunEventType type, String detail, long timestamp) {
    RunEvent event =
        RunEvent.newBuilder()
            .setEventId(eventId)
            .setRunId(runId)
            .setOccurredAt(Instant.ofEpochMilli(timestamp))
            .setType(type)
            .setDetail(detail)
            .build();
    return new OutboundRecord(
        topics.events(), runId, wire.encode(topics.events(), event), Map.of());
  }

  /**
   * The original bytes and headers, plus why and where from. A trigger's source coordinates were
   * set before the repartition; other records' are their own.
   */
  public OutboundRecord deadLetter(InputRecord input, String reason) {
    Map<String, byte[]> headers = new LinkedHashMap<>();
    for (Header h : input.headers()) {
      headers.put(h.key(), h.value());
    }
    headers.putIfAbsent(DeadLetters.SOURCE_TOPIC, bytes(input.topic()));
    headers.putIfAbsent(DeadLetters.SOURCE_PARTITION, bytes(Integer.toString(input.partition())));
    headers.putIfAbsent(DeadLetters.SOURCE_OFFSET, bytes(Long.toString(input.offset())));
    headers.put(DeadLetters.REASON, bytes(reason));
    byte[] value = input.value().value();
    if (value != null
        && value.length > DeadLetters.KEPT_BYTES
        && value.length > DeadLetters.MAX_VALUE_BYTES / 2) {
      headers.putIfAbsent(DeadLetters.ORIGINAL_SIZE, bytes(Integer.toString(value.length)));
      value = Arrays.copyOf(value, DeadLetters.KEPT_BYTES);
    }
    headers.put(DeadLetters.STAGE, bytes("engine"));
    // A trigger was re-keyed by run id: dead-letter it under the key it arrived with.
    byte[] originalKey = headers.remove(DeadLetters.SOURCE_KEY);
    String key =
        originalKey != null
            ? new String(originalKey, StandardCharsets.UTF_8)
            : input.kind() == Inbound.Kind.TRIGGER ? null : input.key();
    return new OutboundRecord(topics.dlq(), key, value, headers);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
