package dev.baton.dispatcher.kubernetes;

import dev.baton.concurrent.RecentSet;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Wire;
import java.time.Duration;

/**
 * The attempts known to have reported how they ended. Only a completion with the attempt's token
 * counts: a forged one, which the engine refuses, does not keep the pod watcher from reporting. A
 * start is not an end. Bounded: an attempt is remembered {@link #KEEP} (its pod is deleted long
 * before) and at most {@link #MAX} of them, the oldest forgotten first; a pod still there after its
 * report was forgotten is reported once more, which the engine drops as a duplicate. Thread-safe.
 */
public final class ReportedAttempts {
  /** How long a report is remembered. */
  static final Duration KEEP = Duration.ofHours(2);

  /** Most reports remembered. */
  static final int MAX = 200_000;

  private final RecentSet seen;
  private final Wire wire;
  private final AttemptTokens tokens;

  public ReportedAttempts(Wire wire, AttemptTokens tokens) {
    this(wire, tokens, new RecentSet(KEEP, MAX));
  }

  ReportedAttempts(Wire wire, AttemptTokens tokens, RecentSet seen) {
    this.wire = wire;
    this.tokens = tokens;
    this.seen = seen;
  }

  /** How many reports are remembered now. */
  int size() {
    return seen.size();
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
