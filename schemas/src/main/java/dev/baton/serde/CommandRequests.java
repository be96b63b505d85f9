package dev.baton.serde;

import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** A command on one run as a person asks for it (CLI, API): each request is a new event. */
public final class CommandRequests {
  private CommandRequests() {}

  /** {@code type} on {@code runId}, with an event id of its own ({@code cancel:<run>:<uuid>}). */
  public static RunCommand of(String runId, RunCommandType type, String reason) {
    return RunCommand.newBuilder()
        .setEventId(type.name().toLowerCase(Locale.ROOT) + ":" + runId + ":" + UUID.randomUUID())
        .setRunId(runId)
        .setOccurredAt(Instant.now())
        .setType(type)
        .setReason(reason)
        .build();
  }

  /**
   * An approval ({@code APPROVE}) or rejection ({@code REJECT}) of attempt {@code attempt} of
   * {@code job}, with the approval's {@code inputs}, by whom ({@code by}, null when unknown).
   */
  public static RunCommand decision(
      String runId,
      RunCommandType type,
      String job,
      Integer attempt,
      Map<String, String> inputs,
      String reason,
      String by) {
    RunCommand c = of(runId, type, reason);
    c.setJob(job);
    c.setAttempt(attempt);
    c.setValues(Map.copyOf(inputs));
    c.setSource(by);
    return c;
  }
}
