package dev.baton.engine.apply;

import dev.baton.engine.state.OutboundRecord;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.RunIds;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;

/**
 * Records of a run that arrived on another partition than the run's: a producer whose partitioner
 * is not Java's (kcat's default, librdkafka's consistent_random, hashes keys otherwise), or a
 * record keyed by something else than its run id. Applied there, they would race the run's own
 * task; instead each goes back to its topic keyed by its run id, which Kafka's default partitioner
 * puts on the run's partition, as a trigger is re-keyed. In the same transaction as the read under
 * exactly-once, so it is applied once, by the run's task.
 */
public final class StrayRecords {
  /** Header on a record sent on to its run's partition: the partition it came from. */
  public static final String REROUTED_FROM = "baton.rerouted-from";

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private final int runPartitions;
  private final Outbounds outbounds;
  private final EngineCounters counters;

  public StrayRecords(int runPartitions, Outbounds outbounds, EngineCounters counters) {
    this.runPartitions = runPartitions;
    this.outbounds = outbounds;
    this.counters = counters;
  }

  /** Whether {@code source}, of {@code runId}, is on another partition than its run's. */
  public boolean stray(InputRecord source, String runId) {
    return source.kind() != Inbound.Kind.TRIGGER
        && runId != null
        && RunIds.partition(runId, runPartitions) != source.partition();
  }

  /**
   * The record sent on to its run's partition; or, when it was sent on once already and is still
   * not there (its topic's partitions are not the engine's), a dead letter that says so.
   */
  public OutboundRecord sendOn(InputRecord source, String runId) {
    if (source.headers().lastHeader(REROUTED_FROM) != null) {
      String reason =
          "run '"
              + runId
              + "' belongs to partition "
              + RunIds.partition(runId, runPartitions)
              + " of "
              + runPartitions
              + ", but its record came back to partition "
              + source.partition()
              + " of "
              + source.topic()
              + " when sent there: the topic's partition count is not the engine's (restart the"
              + " engine after adding partitions)";
      counters.deadLettered(reason);
      return outbounds.deadLetter(source, reason);
    }
    counters.rerouted.incrementAndGet();
    Map<String, byte[]> headers = new LinkedHashMap<>();
    for (Header h : source.headers()) {
      headers.put(h.key(), h.value());
    }
    headers.put(REROUTED_FROM, bytes(Integer.toString(source.partition())));
    // Should it be dead-lettered on its run's partition, the dead letter names the record as it
    // arrived: its key and coordinates, not the copy's.
    headers.put(DeadLetters.SOURCE_TOPIC, bytes(source.topic()));
    headers.put(DeadLetters.SOURCE_PARTITION, bytes(Integer.toString(source.partition())));
    headers.put(DeadLetters.SOURCE_OFFSET, bytes(Long.toString(source.offset())));
    headers.remove(DeadLetters.SOURCE_KEY);
    if (source.key() != null) {
      headers.put(DeadLetters.SOURCE_KEY, bytes(source.key()));
    }
    return new OutboundRecord(source.topic(), runId, source.value().value(), headers);
  }
}
