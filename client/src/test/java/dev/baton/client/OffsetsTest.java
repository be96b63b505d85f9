package dev.baton.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetsTest {
  static final TopicPartition P0 = new TopicPartition("requests", 0);
  static final TopicPartition P1 = new TopicPartition("requests", 1);

  @Test
  void aRequestIsNeverCommittedBeforeItsReply() {
    Offsets o = new Offsets();
    o.read(P0, 10);
    o.read(P0, 11);
    o.read(P0, 12);
    assertEquals(10, o.committable(Set.of(P0)).get(P0).offset(), "nothing answered yet");
    assertTrue(o.answered(P0, 11));
    assertEquals(10, o.committable(Set.of(P0)).get(P0).offset(), "10 still open");
    assertTrue(o.answered(P0, 10));
    assertEquals(12, o.committable(Set.of(P0)).get(P0).offset(), "12 still open");
    assertTrue(o.answered(P0, 12));
    assertEquals(13, o.committable(Set.of(P0)).get(P0).offset(), "all answered: the next one");
    assertFalse(o.answered(P0, 12), "answered once");
  }

  @Test
  void partitionsAreApartAndARevokedOneIsForgotten() {
    Offsets o = new Offsets();
    o.read(P0, 5);
    o.read(P1, 7);
    o.answered(P1, 7);
    assertEquals(5, o.committable(Set.of(P0, P1)).get(P0).offset());
    assertEquals(8, o.committable(Set.of(P0, P1)).get(P1).offset());
    assertFalse(
        o.committable(Set.of(P0)).containsKey(P1), "only partitions this worker still holds");
    o.drop(List.of(P0));
    assertFalse(o.committable(Set.of(P0)).containsKey(P0), "a revoked partition is not committed");
    assertFalse(o.answered(P0, 5), "a reply for a revoked partition moves nothing");
  }
}
