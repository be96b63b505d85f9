package dev.baton.dispatcher;

import dev.baton.events.JobDispatch;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Dispatches read while every job slot is taken: starts wait here, in their partitions' order,
 * while the consumer reads on, so that a STOP behind them is carried out at once instead of when a
 * slot frees. A partition's offset is committed only up to its first start held, so what is held
 * and lost with a crash or a rebalance is read again. Bounded: past {@link #MAX_HELD} records or
 * {@link #MAX_HELD_BYTES} the consumer pauses until starts leave.
 */
final class HeldStarts {
  static final int MAX_HELD = 1_000;
  static final long MAX_HELD_BYTES = 16L * 1024 * 1024;

  /** A start read and not yet carried out. */
  record Held(ConsumerRecord<String, byte[]> record, JobDispatch dispatch) {}

  private final Map<TopicPartition, Deque<Held>> byPartition = new LinkedHashMap<>();
  private int count;
  private long bytes;

  /** Whether starts of {@code tp} wait here: a later one must wait behind them. */
  boolean holds(TopicPartition tp) {
    Deque<Held> q = byPartition.get(tp);
    return q != null && !q.isEmpty();
  }

  boolean isEmpty() {
    return count == 0;
  }

  /** Whether the consumer should stop reading until starts leave. */
  boolean full() {
    return count >= MAX_HELD || bytes >= MAX_HELD_BYTES;
  }

  void hold(ConsumerRecord<String, byte[]> record, JobDispatch dispatch) {
    byPartition
        .computeIfAbsent(
            new TopicPartition(record.topic(), record.partition()), k -> new ArrayDeque<>())
        .addLast(new Held(record, dispatch));
    count++;
    bytes += size(record);
  }

  /** The start held longest (by its record's time, across partitions), taken out; null if none. */
  Held next() {
    Deque<Held> oldest = null;
    for (Deque<Held> q : byPartition.values()) {
      if (!q.isEmpty()
          && (oldest == null
              || q.peekFirst().record().timestamp() < oldest.peekFirst().record().timestamp())) {
        oldest = q;
      }
    }
    if (oldest == null) {
      return null;
    }
    Held h = oldest.removeFirst();
    count--;
    bytes -= size(h.record());
    return h;
  }

  /** Drops what is held of {@code partitions} (revoked: their next owner reads them again). */
  void drop(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      Deque<Held> q = byPartition.remove(tp);
      if (q != null) {
        for (Held h : q) {
          count--;
          bytes -= size(h.record());
        }
      }
    }
  }

  void clear() {
    byPartition.clear();
    count = 0;
    bytes = 0;
  }

  /**
   * The offsets to commit for {@code assigned}, whose read positions are {@code positions}: a
   * partition's first start held, else its position.
   */
  Map<TopicPartition, OffsetAndMetadata> commitOffsets(
      Set<TopicPartition> assigned, ToLongFunction<TopicPartition> positions) {
    Map<TopicPartition, OffsetAndMetadata> out = new LinkedHashMap<>();
    for (TopicPartition tp : assigned) {
      Deque<Held> q = byPartition.get(tp);
      long offset =
          q != null && !q.isEmpty() ? q.peekFirst().record().offset() : positions.applyAsLong(tp);
      out.put(tp, new OffsetAndMetadata(offset));
    }
    return out;
  }

  private static long size(ConsumerRecord<String, byte[]> r) {
    return r.value() == null ? 0 : r.value().length;
  }
}
