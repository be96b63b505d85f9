package dev.baton.serde;

import dev.baton.events.WorkflowTrigger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.kafka.common.utils.Utils;

/**
 * Run identity (design §3) and where a run lives. The run id is the trigger's {@code runId}; else
 * derived from its {@code idempotencyKey}; else from the trigger record's own coordinates. Never
 * random: the same record gets the same id when it is processed again. Every record of a run is
 * keyed by its id, so Kafka's default partitioner sends them all to one partition, and one task.
 */
public final class RunIds {
  private RunIds() {}

  public static String of(WorkflowTrigger trigger, int partition, long offset, long timestamp) {
    if (trigger != null && trigger.getRunId() != null && !trigger.getRunId().isBlank()) {
      return trigger.getRunId();
    }
    if (trigger != null
        && trigger.getIdempotencyKey() != null
        && !trigger.getIdempotencyKey().isBlank()) {
      return forIdempotencyKey(trigger.getIdempotencyKey());
    }
    return forRecord(partition, offset, timestamp);
  }

  /**
   * The run a trigger with this idempotency key (and no run id) starts: producers key such triggers
   * by it.
   */
  public static String forIdempotencyKey(String idempotencyKey) {
    return "idem-" + sha256(idempotencyKey).substring(0, 24);
  }

  public static String forRecord(int partition, long offset, long timestamp) {
    return "run-" + partition + "-" + offset + "-" + Long.toString(timestamp, 36);
  }

  /**
   * The partition of a run among {@code partitions}: what Kafka's default partitioner picks for its
   * id as a record key.
   */
  public static int partition(String runId, int partitions) {
    return Utils.toPositive(Utils.murmur2(runId.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
