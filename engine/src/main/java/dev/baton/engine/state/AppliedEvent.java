package dev.baton.engine.state;

import java.util.List;

/**
 * An event already applied to a run: the input record that applied it (topic, partition, offset)
 * and the records it produced. The same record again means the earlier Kafka transaction aborted
 * after Redis was written, so its records are emitted again; another record with the same event id
 * is a duplicate.
 */
public record AppliedEvent(
    String topic, int partition, long offset, List<OutboundRecord> produced) {
  public AppliedEvent {
    produced = List.copyOf(produced);
  }

  public boolean sameRecord(String otherTopic, int otherPartition, long otherOffset) {
    return topic.equals(otherTopic) && partition == otherPartition && offset == otherOffset;
  }
}
