package dev.baton.engine.correlate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CorrelationsTest {
  static final String RULE = "order/await-payment";

  static CorrelationRecord.Event event(String id, long bufferMs) {
    return new CorrelationRecord.Event(
        id, "payments", "42", 0, bufferMs, Map.of(RULE, Map.of("amount", id)));
  }

  static CorrelationRecord.Await await(String runId, int attempt, Long until) {
    return new CorrelationRecord.Await(
        "payments", "42", runId, "await-payment", attempt, RULE, until);
  }

  static List<String> to(Correlations.Outcome o) {
    return o.deliveries().stream().map(d -> d.to().runId() + ":" + d.eventId()).toList();
  }

  final EntryStore entries = EntryStore.inMemory();
  final EntryStore expiry = EntryStore.inMemory();
  final Correlations c = new Correlations(entries, expiry, "payments/42");

  /** Runs the sweep at {@code now}, as the processor's punctuation does. */
  void sweep(long now) {
    for (var e :
        expiry.range(Correlations.expiryKey(0, ""), Correlations.expiryKey(now, "\uffff"))) {
      Correlations.expire(entries, expiry, e.getKey(), now);
    }
  }

  @Test
  void anEventBeforeTheWaitIsKeptAndDeliveredWhenTheStepWaits() {
    assertEquals(List.of(), to(c.apply(event("e1", 60_000), 0)));
    Correlations.Outcome o = c.apply(await("r1", 1, null), 1_000);
    assertEquals(List.of("r1:e1"), to(o));
    assertEquals(Map.of("amount", "e1"), o.deliveries().get(0).outputs());
  }

  @Test
  void everyAttemptWaitingOnTheKeyReceivesTheEvent() {
    c.apply(await("r1", 1, null), 0);
    c.apply(await("r2", 1, null), 0);
    assertEquals(List.of("r1:e1", "r2:e1"), to(c.apply(event("e1", 0), 5)));
  }

  @Test
  void theSameEventTwiceDeliversOnce() {
    c.apply(await("r1", 1, null), 0);
    assertEquals(1, to(c.apply(event("e1", 60_000), 1)).size());
    assertEquals(0, to(c.apply(event("e1", 60_000), 2)).size());
  }

  @Test
  void aKeptEventExpiresAfterItsBufferAndTheSweepLeavesNothing() {
    c.apply(event("e1", 1_000), 0);
    assertEquals(1, c.kept(999).size());
    assertEquals(List.of(), c.kept(1_000));
    sweep(1_000);
    assertEquals(List.of(), to(c.apply(await("r1", 1, 5_000L), 1_001)));
    sweep(5_000);
    assertTrue(entries.withPrefix("").isEmpty(), entries.withPrefix("").toString());
    assertTrue(expiry.withPrefix("").isEmpty(), expiry.withPrefix("").toString());
  }

  @Test
  void anEventOnlyReachesWaitsWhoseRuleItPassed() {
    c.apply(
        new CorrelationRecord.Await("payments", "42", "r1", "other", 1, "order/other", null), 0);
    assertEquals(List.of(), to(c.apply(event("e1", 0), 1)));
  }

  @Test
  void aStoppedOrExpiredWaitReceivesNothing() {
    c.apply(await("r1", 1, null), 0);
    c.apply(new CorrelationRecord.Stop("payments", "42", "r1", "await-payment", 1), 1);
    c.apply(await("r2", 1, 10L), 1);
    assertEquals(List.of(), to(c.apply(event("e1", 0), 10)));
  }

  @Test
  void keptEventsAreBoundedInNumberTheOldestGoingFirst() {
    for (int i = 0; i < Correlations.MAX_EVENTS + 5; i++) {
      assertNull(c.apply(event("e" + i, 60_000), i).refused());
    }
    List<Correlations.Kept> kept = c.kept(200);
    assertEquals(Correlations.MAX_EVENTS, kept.size());
    assertEquals("e5", kept.get(0).id());
  }

  static CorrelationRecord.Event large(String id, int chars) {
    return new CorrelationRecord.Event(
        id, "payments", "42", 0, 60_000, Map.of(RULE, Map.of("payload", "x".repeat(chars))));
  }

  @Test
  void keptEventsAreBoundedInBytesAndWhatIsNotKeptIsStillDeliveredAndSaidSo() {
    c.apply(await("r1", 1, null), 0);
    int each = 250_000;
    for (int i = 0; i < 4; i++) {
      Correlations.Outcome o = c.apply(large("big" + i, each), i);
      assertNull(o.refused(), "event " + i + " is kept");
      assertEquals(1, o.deliveries().size());
    }
    Correlations.Outcome fifth = c.apply(large("big4", each), 5);
    assertEquals(1, fifth.deliveries().size(), "delivered to the attempt waiting now");
    assertTrue(fifth.refused().contains("is not kept"), fifth.refused());
    assertTrue(
        fifth.refused().contains("keeps at most " + Correlations.MAX_KEPT_BYTES), fifth.refused());
    assertEquals(4, c.kept(6).size());
    for (var e : entries.withPrefix("")) {
      assertTrue(e.getValue().length() < Correlations.MAX_EVENT_BYTES, "every entry is small");
    }
    Correlations.Outcome huge = c.apply(large("huge", Correlations.MAX_EVENT_BYTES), 7);
    assertTrue(huge.refused().contains("a kept event may have"), huge.refused());
  }

  @Test
  void waitersAreBounded() {
    for (int i = 0; i < Correlations.MAX_WAITING; i++) {
      assertNull(c.apply(await("r" + i, 1, null), 0).refused());
    }
    Correlations.Outcome refused = c.apply(await("rx", 1, null), 0);
    assertTrue(refused.refused().contains("attempts waiting already"), refused.refused());
    c.apply(new CorrelationRecord.Stop("payments", "42", "r0", "await-payment", 1), 1);
    assertNull(c.apply(await("rx", 1, null), 2).refused(), "room again once one stopped");
  }

  @Test
  void aKeyWrittenAsOneValueBeforeEntriesIsReadAsEntries() {
    entries.put(
        "payments/42",
        "{\"waiting\":[{\"runId\":\"r1\",\"job\":\"await-payment\",\"attempt\":1,\"rule\":\""
            + RULE
            + "\"}],\"events\":[{\"id\":\"e0\",\"at\":0,\"expires\":60000,\"rules\":{\""
            + RULE
            + "\":{\"amount\":\"0\"}}}]}");
    c.migrate();
    assertEquals(null, entries.get("payments/42"));
    assertEquals(List.of("r1:e1"), to(c.apply(event("e1", 60_000), 1)));
    assertEquals(List.of("r2:e0", "r2:e1"), to(c.apply(await("r2", 1, null), 2)));
  }

  @Test
  void recordsRoundTripAsJson() throws Exception {
    CorrelationRecord r = await("r1", 2, 5L);
    assertEquals(r, CorrelationRecord.decode(CorrelationRecord.encode(r)));
    CorrelationRecord e = event("e1", 7);
    assertEquals(e, CorrelationRecord.decode(CorrelationRecord.encode(e)));
  }
}
