package dev.baton.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.serde.Wire;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** A report is kept until Kafka has it: sends that fail are tried again, also by the next start. */
class CompletionPublisherTest {
  static JobCompletion report(String runId) {
    return JobCompletion.newBuilder()
        .setEventId(runId + "/a/1")
        .setRunId(runId)
        .setJob("a")
        .setAttempt(1)
        .setStatus(CompletionStatus.SUCCEEDED)
        .setOutputs(Map.of())
        .build();
  }

  /** A sender that fails the first {@code failures} sends, as Kafka past its delivery timeout. */
  static final class FlakySender implements BiConsumer<ProducerRecord<String, byte[]>, Callback> {
    final AtomicInteger failures;
    final List<ProducerRecord<String, byte[]>> written = new CopyOnWriteArrayList<>();
    final AtomicInteger tries = new AtomicInteger();

    FlakySender(int failures) {
      this.failures = new AtomicInteger(failures);
    }

    @Override
    public void accept(ProducerRecord<String, byte[]> record, Callback callback) {
      tries.incrementAndGet();
      if (failures.getAndDecrement() > 0) {
        callback.onCompletion(null, new TimeoutException("expired: delivery timeout"));
      } else {
        written.add(record);
        callback.onCompletion(null, null);
      }
    }
  }

  static CompletionPublisher publisher(FlakySender sender, PendingReports pending) {
    return new CompletionPublisher(sender, "completions", Wire.json(), c -> "token", pending);
  }

  @Test
  void aReportThatFailsToSendIsTriedAgainUntilWritten() throws Exception {
    FlakySender sender = new FlakySender(2);
    PendingReports pending = PendingReports.inMemory();
    try (CompletionPublisher p = publisher(sender, pending)) {
      CompletableFuture<Void> written = p.publish(report("r1"));
      assertFalse(pending.all().isEmpty(), "kept while it is not written");
      written.get(10, TimeUnit.SECONDS);
      assertEquals(3, sender.tries.get());
      assertEquals(1, sender.written.size());
      assertEquals("r1", sender.written.get(0).key());
      assertTrue(pending.all().isEmpty(), "forgotten once written");
    }
  }

  @Test
  void aReportNotWrittenBeforeCloseIsSentByTheNextStart() throws Exception {
    PendingReports pending = PendingReports.inMemory();
    CompletableFuture<Void> lost;
    try (CompletionPublisher p = publisher(new FlakySender(Integer.MAX_VALUE), pending)) {
      lost = p.publish(report("r2"));
    }
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> lost.get(5, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().getMessage());
    assertEquals(List.of("r2/a/1"), List.copyOf(pending.all().keySet()));

    FlakySender next = new FlakySender(0);
    try (CompletionPublisher p = publisher(next, pending).start()) {
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> next.written.size() == 1);
      assertEquals("r2", next.written.get(0).key());
      assertTrue(pending.all().isEmpty());
    }
  }

  @Test
  void aStartReportAndAnEndReportOfOneAttemptAreKeptApart() {
    JobCompletion end = report("r3");
    JobCompletion start = JobCompletion.newBuilder(end).setStatus(CompletionStatus.STARTED).build();
    assertEquals("r3/a/1", CompletionPublisher.reportId(end));
    assertEquals("r3/a/1/started", CompletionPublisher.reportId(start));
  }
}
