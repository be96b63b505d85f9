package dev.baton.dispatcher.kubernetes;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Wire;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The attempts known to have reported how they ended. Only a completion with the attempt's token
 * counts: a forged one, which the engine refuses, does not keep the pod watcher from reporting. A
 * start is not an end. Thread-safe.
 */
public final class ReportedAttempts {
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final Wire wire;
  private final AttemptTokens tokens;

  public ReportedAttempts(Wire wire, AttemptTokens tokens) {
    this.wire = wire;
    this.tokens = tokens;
  }

  /**
   * A record of the completions topic; one Baton cannot read is not a report (it is dead-lettered).
   */
  void read(byte[] value) {
    JobCompletion c;
    try {
      c = wire.decode(value, JobCompletion.class);
    } catch (RuntimeException e) {
      return;
    }
    String attemptId = AttemptTokens.attemptId(c);
    if (c.getStatus() != CompletionStatus.STARTED
        && tokens.verify(attemptId, c.getToken()).isPresent()) {
      seen.add(attemptId);
    }
  }

  /** Records a completion this dispatcher published, before the topic shows it. */
  public void reported(String attemptId) {
    seen.add(attemptId);
  }

  public boolean hasReported(String attemptId) {
    return seen.contains(attemptId);
  }
}
