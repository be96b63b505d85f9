package dev.baton.engine.state;

import java.util.List;

/**
 * An event already applied to a run: the input record that applied it (topic, partition, offset),
 * the records it produced, and what it wrote beyond the run's keys. The same record again means the
 * earlier Kafka transaction aborted after Redis was written, so its records are emitted, and its
 * follow-up writes made, again; another record with the same event id is a duplicate.
 *
 * @param followUp null in records written before follow-ups were kept (their writes were made in
 *     the save itself)
 */
public record AppliedEvent(
    String topic, int partition, long offset, List<OutboundRecord> produced, FollowUp followUp) {
  public AppliedEvent {
    produced = List.copyOf(produced);
  }

  public boolean sameRecord(String otherTopic, int otherPartition, long otherOffset) {
    return topic.equals(otherTopic) && partition == otherPartition && offset == otherOffset;
  }

  /** This record without the records it produced (they are kept apart, for a while). */
  AppliedEvent withoutProduced() {
    return new AppliedEvent(topic, partition, offset, List.of(), followUp);
  }

  /** This record with {@code records} as what it produced. */
  AppliedEvent withProduced(List<OutboundRecord> records) {
    return new AppliedEvent(topic, partition, offset, records, followUp);
  }

  AppliedEvent withFollowUp(FollowUp f) {
    return new AppliedEvent(topic, partition, offset, produced, f);
  }
}
