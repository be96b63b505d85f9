package dev.baton.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RecentSetTest {
  @Test
  void membersAreForgottenAfterTheirTimeAndTheOldestFirstPastTheSize() {
    Instant[] now = {Instant.parse("2026-12-06T00:00:00Z")};
    Clock clock =
        new Clock() {
          @Override
          public Instant instant() {
            return now[0];
          }

          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }
        };
    RecentSet set = new RecentSet(Duration.ofHours(1), 3, clock);
    assertTrue(set.add("a"));
    assertFalse(set.add("a"));
    set.add("b");
    set.add("c");
    set.add("d");
    assertFalse(set.contains("a"), "the oldest went first");
    assertEquals(3, set.size());
    now[0] = now[0].plus(Duration.ofMinutes(59));
    set.add("b"); // kept an hour from now
    now[0] = now[0].plus(Duration.ofMinutes(2));
    assertFalse(set.contains("c"));
    assertTrue(set.contains("b"));
    assertEquals(1, set.size());
  }

  @Test
  void aMillionMembersStayAtTheBound() {
    RecentSet set = new RecentSet(Duration.ofDays(1), 10_000);
    for (int i = 0; i < 1_000_000; i++) {
      set.add("attempt-" + i);
    }
    assertEquals(10_000, set.size());
    assertTrue(set.contains("attempt-999999"));
  }
}
