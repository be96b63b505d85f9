package dev.baton.engine.apply;

import dev.baton.engine.decide.EngineEvent;
import dev.baton.engine.decide.JobState;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.RunCommand;
import dev.baton.events.TimerFired;
import dev.baton.events.WorkflowTrigger;
import dev.baton.security.AttemptTokens;
import dev.baton.security.CommandSignatures;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.EventCodec;
import dev.baton.serde.EventFormatException;
import dev.baton.serde.Wire;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Turns a raw input record into an {@link EngineEvent} and the id under which it is applied: a
 * trigger {@code trigger:<runId>} (one trigger starts a run once), a completion its attempt id
 * {@code runId/job[item]/attempt}, a command its own id or its record's coordinates, a timer its
 * id.
 */
public final class InboundParser {
  private final EventCodec<WorkflowTrigger> triggers;
  private final EventCodec<JobCompletion> completions;
  private final EventCodec<RunCommand> commands;
  private final EventCodec<TimerFired> timers;
  private final AttemptTokens tokens;

  /** {@code tokens} null: tokens are not checked (a replay without the engine's key). */
  public InboundParser(Wire wire, AttemptTokens tokens) {
    this.tokens = tokens;
    this.triggers = EventCodec.of(WorkflowTrigger.class, wire);
    this.completions = EventCodec.of(JobCompletion.class, wire);
    this.commands = EventCodec.of(RunCommand.class, wire);
    this.timers = EventCodec.of(TimerFired.class, wire);
  }

  /** How the reason for a completion without the right token begins. */
  public static final String FORGED = "refused completion for ";

  public record Parsed(EngineEvent event, String eventId, String error) {}

  public Parsed parse(InputRecord input) {
    InputRecord record = input;
    var size = record.headers().lastHeader(DeadLetters.ORIGINAL_SIZE);
    int length =
        size != null
            ? Integer.parseInt(new String(size.value(), StandardCharsets.UTF_8))
            : record.value().value() == null ? 0 : record.value().value().length;
    if (length > DeadLetters.MAX_VALUE_BYTES) {
      return new Parsed(
          null,
          null,
          "a "
              + record.value().kind().name().toLowerCase(Locale.ROOT)
              + " of "
              + length
              + " bytes is larger than the limit of "
              + DeadLetters.MAX_VALUE_BYTES
              + " bytes");
    }
    try {
      return switch (record.value().kind()) {
        case TRIGGER -> trigger(record);
        case COMPLETION -> completion(record.value().value());
        case COMMAND -> command(record.value().value(), input);
        case TIMER -> timer(record.value().value());
      };
    } catch (EventFormatException e) {
      return new Parsed(
          null,
          null,
          "invalid "
              + record.value().kind().name().toLowerCase(Locale.ROOT)
              + ": "
              + e.getMessage());
    }
  }

  private Parsed trigger(InputRecord record) {
    // Decoded already when it was keyed on this task; read here after the repartition hop.
    WorkflowTrigger trigger =
        record.value().trigger() != null
            ? record.value().trigger()
            : triggers.decode(record.value().value());
    if (trigger.getTemplate().isBlank()) {
      throw new EventFormatException("field 'template' must name a template");
    }
    // The key was set to the run id before the repartition (TriggerKeyProcessor).
    String runId = record.key();
    String forged = forgedParent(trigger, runId);
    if (forged != null) {
      return new Parsed(null, null, forged);
    }
    return new Parsed(new EngineEvent.TriggerReceived(runId, trigger), "trigger:" + runId, null);
  }

  /**
   * Why a trigger's link to a parent run is refused (null when it has none or it is the engine's):
   * a child reports to its parent's job, so only the engine may make one.
   */
  private String forgedParent(WorkflowTrigger trigger, String runId) {
    var parent = trigger.getParent();
    if (parent == null || tokens == null) {
      return null;
    }
    String parentAttempt =
        JobState.attemptId(
            parent.getRunId(), parent.getJob(), parent.getItem(), parent.getAttempt());
    if (!tokens.verifyChild(runId, parentAttempt, parent.getToken())) {
      return "refused trigger of run '"
          + runId
          + "': its parent link to "
          + parentAttempt
          + (parent.getToken() == null ? " has no token" : " has a wrong token")
          + " (only the engine starts child runs)";
    }
    return null;
  }

  private Parsed completion(byte[] value) {
    JobCompletion c = completions.decode(value);
    if (c.getRunId().isBlank() || c.getJob().isBlank()) {
      throw new EventFormatException("fields 'runId' and 'job' must not be empty");
    }
    String attemptId = JobState.attemptId(c.getRunId(), c.getJob(), c.getItem(), c.getAttempt());
    if (tokens != null && tokens.verify(attemptId, c.getToken()).isEmpty()) {
      return new Parsed(
          null,
          null,
          FORGED
              + attemptId
              + (c.getToken() == null || c.getToken().isEmpty()
                  ? " has no attempt token"
                  : " has a wrong attempt token")
              + " (only the job, with its "
              + AttemptTokens.TOKEN_VARIABLE
              + ", and the dispatcher can report an attempt)");
    }
    c.setToken(null); // spent: it is kept nowhere
    // A start report is applied apart from the attempt's end, which keeps the attempt id as its
    // event id.
    String eventId = c.getStatus() == CompletionStatus.STARTED ? attemptId + "/started" : attemptId;
    return new Parsed(new EngineEvent.JobCompleted(c.getRunId(), c), eventId, null);
  }

  private Parsed timer(byte[] value) {
    TimerFired t = timers.decode(value);
    return new Parsed(new EngineEvent.TimerDue(t.getRunId(), t), t.getEventId(), null);
  }

  /** How the reason for an engine's command without the engine's signature begins. */
  public static final String UNSIGNED_COMMAND = "refused command ";

  /**
   * A command. DELIVER, ADMIT and CACHE_LOOKUP must carry the engine's signature and keep the id it
   * gave them; any other command is a person's, and is applied under an id of its own namespace,
   * made from the coordinates of the record that brought it (of the record as it arrived, when the
   * engine sent it on to its run's partition), whatever id it names.
   */
  private Parsed command(byte[] value, InputRecord input) {
    RunCommand c = commands.decode(value);
    if (c.getRunId().isBlank()) {
      throw new EventFormatException("field 'runId' must not be empty");
    }
    if (CommandSignatures.ENGINE_ONLY.contains(c.getType())) {
      if (tokens != null && !CommandSignatures.verified(c, tokens)) {
        return new Parsed(
            null,
            null,
            UNSIGNED_COMMAND
                + c.getType()
                + " for run '"
                + c.getRunId()
                + "': "
                + (c.getToken() == null ? "it has no" : "it has a wrong")
                + " engine signature (only the engine writes DELIVER, ADMIT and CACHE_LOOKUP)");
      }
      if (c.getEventId() == null) {
        throw new EventFormatException("field 'eventId' must be set on " + c.getType());
      }
      c.setToken(null);
      return new Parsed(new EngineEvent.CommandReceived(c.getRunId(), c), c.getEventId(), null);
    }
    return new Parsed(new EngineEvent.CommandReceived(c.getRunId(), c), personsId(input), null);
  }

  /** {@code command:<topic>-<partition>@<offset>} of the record as it arrived. */
  private static String personsId(InputRecord input) {
    var headers = input.headers();
    if (headers.lastHeader(StrayRecords.REROUTED_FROM) != null
        && headers.lastHeader(DeadLetters.SOURCE_TOPIC) != null
        && headers.lastHeader(DeadLetters.SOURCE_PARTITION) != null
        && headers.lastHeader(DeadLetters.SOURCE_OFFSET) != null) {
      return "command:"
          + text(headers.lastHeader(DeadLetters.SOURCE_TOPIC).value())
          + "-"
          + text(headers.lastHeader(DeadLetters.SOURCE_PARTITION).value())
          + "@"
          + text(headers.lastHeader(DeadLetters.SOURCE_OFFSET).value());
    }
    return "command:" + input.topic() + "-" + input.partition() + "@" + input.offset();
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
