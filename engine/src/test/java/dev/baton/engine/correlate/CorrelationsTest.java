package dev.baton.engine.correlate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

  static List<String> to(List<Correlations.Delivery> ds) {
    return ds.stream().map(d -> d.to().runId() + ":" + d.eventId()).toList();
  }

  @Test
  void anEventBeforeTheWaitIsKeptAndDeliveredWhenTheStepWaits() {
    Correlations c = new Correlations();
    assertEquals(List.of(), c.apply(event("e1", 60_000), 0));
    List<Correlations.Delivery> ds = c.apply(await("r1", 1, null), 1_000);
    assertEquals(List.of("r1:e1"), to(ds));
    assertEquals(Map.of("amount", "e1"), ds.get(0).outputs());
  }

  @Test
  void everyAttemptWaitingOnTheKeyReceivesTheEvent() {
    Correlations c = new Correlations();
    c.apply(await("r1", 1, null), 0);
    c.apply(await("r2", 1, null), 0);
    assertEquals(List.of("r1:e1", "r2:e1"), to(c.apply(event("e1", 0), 5)));
  }

  @Test
  void theSameEventTwiceDeliversOnce() {
    Correlations c = new Correlations();
    c.apply(await("r1", 1, null), 0);
    assertEquals(1, c.apply(event("e1", 60_000), 1).size());
    assertEquals(0, c.apply(event("e1", 60_000), 2).size());
  }

  @Test
  void aKeptEventExpiresAfterItsBuffer() {
    Correlations c = new Correlations();
    c.apply(event("e1", 1_000), 0);
    assertEquals(1_000, c.nextExpiry());
    c.expire(1_000);
    assertTrue(c.isEmpty());
    assertEquals(List.of(), c.apply(await("r1", 1, null), 1_001));
  }

  @Test
  void anEventOnlyReachesWaitsWhoseRuleItPassed() {
    Correlations c = new Correlations();
    c.apply(
        new CorrelationRecord.Await("payments", "42", "r1", "other", 1, "order/other", null), 0);
    assertEquals(List.of(), c.apply(event("e1", 0), 1));
  }

  @Test
  void aStoppedOrExpiredWaitReceivesNothing() {
    Correlations c = new Correlations();
    c.apply(await("r1", 1, null), 0);
    c.apply(new CorrelationRecord.Stop("payments", "42", "r1", "await-payment", 1), 1);
    c.apply(await("r2", 1, 10L), 1);
    assertEquals(List.of(), c.apply(event("e1", 0), 10));
  }

  @Test
  void keptEventsAndWaitersAreBounded() {
    Correlations c = new Correlations();
    for (int i = 0; i < Correlations.MAX_EVENTS + 5; i++) {
      c.apply(event("e" + i, 60_000), i);
    }
    assertEquals(Correlations.MAX_EVENTS, c.events.size());
    assertEquals("e5", c.events.get(0).id());
    Correlations full = new Correlations();
    for (int i = 0; i < Correlations.MAX_WAITING; i++) {
      full.waiting.add(new Correlations.Waiter("r" + i, "j", 1, RULE, null));
    }
    assertThrows(IllegalStateException.class, () -> full.apply(await("rx", 1, null), 0));
  }

  @Test
  void recordsRoundTripAsJson() throws Exception {
    CorrelationRecord r = await("r1", 2, 5L);
    assertEquals(r, CorrelationRecord.decode(CorrelationRecord.encode(r)));
    CorrelationRecord e = event("e1", 7);
    assertEquals(e, CorrelationRecord.decode(CorrelationRecord.encode(e)));
  }
}
