package dev.baton.tracing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The ids of a run's trace, derived from what every part of Baton knows: a run's trace id from its
 * run id, a span's id from the run, the input record or the attempt it stands for. So the engine,
 * the dispatcher and a job agree on them without asking each other, a record applied again after a
 * crash gets the span id it had, and a job report sent without headers (kcat) still lands under its
 * attempt.
 */
public final class TraceIds {
  private static final HexFormat HEX = HexFormat.of();

  private TraceIds() {}

  /** The trace of run {@code runId}: one trace per run. */
  public static String trace(String runId) {
    return digest("trace\n" + runId, 16);
  }

  /** The span of the whole run, the root of its trace. */
  public static Traceparent run(String runId) {
    return new Traceparent(trace(runId), digest("run\n" + runId, 8));
  }

  /**
   * A span of run {@code runId} named by {@code role} and {@code id} (an input record's event id,
   * an attempt id).
   */
  public static Traceparent span(String runId, String role, String id) {
    return new Traceparent(trace(runId), digest(role + "\n" + runId + "\n" + id, 8));
  }

  /** The span of an attempt's dispatch: from the dispatch record to the runtime starting it. */
  public static Traceparent dispatch(String runId, String attemptId) {
    return span(runId, "dispatch", attemptId);
  }

  /** The span of a job attempt as it runs: the parent of the job's own spans. */
  public static Traceparent attempt(String runId, String attemptId) {
    return span(runId, "attempt", attemptId);
  }

  private static String digest(String text, int bytes) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      if (d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] == 0) {
        d[0] = 1; // an id is never all zeros (a zero id is invalid)
      }
      return HEX.formatHex(d, 0, bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
