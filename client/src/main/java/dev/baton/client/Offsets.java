package dev.baton.client;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Per partition, the requests read and not answered yet: the offset to commit is the lowest of
 * them, so a request is never committed before its reply is on Kafka. Used by the worker's polling
 * thread only.
 */
final class Offsets {
  private final Map<TopicPartition, TreeSet<Long>> open = new HashMap<>();
  private final Map<TopicPartition, Long> nextRead = new HashMap<>();

  void read(TopicPartition tp, long offset) {
    open.computeIfAbsent(tp, k -> new TreeSet<>()).add(offset);
    nextRead.merge(tp, offset + 1, Math::max);
  }

  /** The request at {@code offset} is answered; true when that may move the commit. */
  boolean answered(TopicPartition tp, long offset) {
    TreeSet<Long> o = open.get(tp);
    return o != null && o.remove(offset);
  }

  /** What may be committed for the partitions of {@code assigned} this worker has read from. */
  Map<TopicPartition, OffsetAndMetadata> committable(Set<TopicPartition> assigned) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (TopicPartition tp : assigned) {
      Long next = nextRead.get(tp);
      if (next == null) {
        continue;
      }
      TreeSet<Long> o = open.get(tp);
      out.put(tp, new OffsetAndMetadata(o == null || o.isEmpty() ? next : o.first()));
    }
    return out;
  }

  void drop(Collection<TopicPartition> partitions) {
    partitions.forEach(
        tp -> {
          open.remove(tp);
          nextRead.remove(tp);
        });
  }
}
