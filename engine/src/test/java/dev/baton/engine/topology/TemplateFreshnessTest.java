package dev.baton.engine.topology;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TemplateFreshnessTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final AtomicLong end = new AtomicLong(5);
  private final AtomicInteger asked = new AtomicInteger();

  private TemplateFreshness fresh(Duration maxWait) {
    return new TemplateFreshness(
        () -> {
          asked.incrementAndGet();
          return end.get();
        },
        new Clock() {
          @Override
          public ZoneOffset getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return Instant.ofEpochMilli(now.get());
          }
        },
        maxWait);
  }

  @Test
  void aTriggerWaitsUntilTheStoreHasReadWhatWasAppliedBeforeItWasSent() throws Exception {
    TemplateFreshness fresh = fresh(Duration.ofSeconds(10));
    fresh.readUpTo(4); // the last template record (offset 4) is not in the store yet
    CompletableFuture<Void> lookup = CompletableFuture.runAsync(() -> fresh.asOf(999));
    // a lookup that did not wait would end within this window
    await()
        .during(Duration.ofMillis(100))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !lookup.isDone());
    fresh.readUpTo(5);
    lookup.get(5, TimeUnit.SECONDS);
    assertEquals(1, asked.get());
  }

  @Test
  void oneAnswerServesEveryTriggerSentBeforeItWasAskedFor() {
    TemplateFreshness fresh = fresh(Duration.ofSeconds(10));
    fresh.readUpTo(5);
    fresh.asOf(900);
    fresh.asOf(1_000);
    assertEquals(1, asked.get(), "triggers sent before the first answer");
    now.set(2_000);
    end.set(6);
    fresh.readUpTo(6);
    fresh.asOf(1_500); // sent after the last ask: a template may have been applied since
    assertEquals(2, asked.get());
  }

  @Test
  void aStoreThatDoesNotCatchUpIsWaitedForOnceThenUsedAsItIs() {
    TemplateFreshness fresh = fresh(Duration.ofMillis(200));
    fresh.readUpTo(3);
    long t0 = System.nanoTime();
    fresh.asOf(999);
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(waited >= 200, "waited " + waited + " ms");
    long t1 = System.nanoTime();
    fresh.asOf(999);
    fresh.asOf(1_000);
    assertTrue(
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1) < 200,
        "the same end is not waited for again");
  }

  @Test
  void aBrokerThatDoesNotAnswerLeavesTheStoreAsItIs() {
    TemplateFreshness fresh =
        new TemplateFreshness(
            () -> {
              throw new org.apache.kafka.common.KafkaException("no broker");
            },
            Clock.systemUTC(),
            Duration.ofSeconds(10));
    long t0 = System.nanoTime();
    fresh.asOf(System.currentTimeMillis());
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 1_000);
  }
}
