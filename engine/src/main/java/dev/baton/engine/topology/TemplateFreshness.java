package dev.baton.engine.topology;

import dev.baton.engine.apply.TemplatesCurrent;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-your-writes for templates. The template store is a global table, read by a thread of its
 * own, so a trigger sent right after {@code baton templates apply} could reach a run task before
 * the new version reached the store, and start the old one. Before a trigger's template is looked
 * up, this asks the broker where the template topic ends (at a moment after the trigger was sent)
 * and waits until the store has read that far.
 *
 * <p>One answer serves every trigger sent before it was asked for, so a batch of triggers costs one
 * request. Triggers carry their producer's clock: a producer whose clock runs behind the engine's
 * by more than the time between its apply and its trigger may still find the older version. When
 * the broker does not answer, or the store does not catch up within {@code maxWait}, the trigger
 * goes on with the store as it is (logged).
 */
public final class TemplateFreshness implements TemplatesCurrent, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TemplateFreshness.class);

  /** Most time the broker has to say where the topic ends. */
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);

  /** Most time a trigger waits for the store to read that far. */
  static final Duration MAX_WAIT = Duration.ofSeconds(2);

  private final LongSupplier topicEnd;
  private final Clock clock;
  private final Duration maxWait;

  /** The offset after the last template record in the store. */
  private long read;

  /** When the topic's end was last asked for (the engine's clock), and the answer. */
  private long askedAt = Long.MIN_VALUE;

  private long end;

  /** An end the store did not reach in time: not waited for again. */
  private long gaveUpAt = -1;

  private Admin admin;

  /**
   * {@code topicEnd} answers the offset after the last record of the template topic (it has one
   * partition), or throws.
   */
  public TemplateFreshness(LongSupplier topicEnd, Clock clock, Duration maxWait) {
    this.topicEnd = topicEnd;
    this.clock = clock;
    this.maxWait = maxWait;
  }

  /** One that asks the broker where the template topic {@code topic} ends. */
  public static TemplateFreshness asking(
      String bootstrapServers, Map<String, String> kafka, String topic) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.putAll(kafka);
    Admin admin = Admin.create(p);
    TopicPartition partition = new TopicPartition(topic, 0);
    LongSupplier end =
        () -> {
          try {
            return admin
                .listOffsets(Map.of(partition, OffsetSpec.latest()))
                .partitionResult(partition)
                .get(ASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .offset();
          } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("cannot list the end of " + topic + ": " + e, e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted listing the end of " + topic, e);
          }
        };
    TemplateFreshness fresh = new TemplateFreshness(end, Clock.systemUTC(), MAX_WAIT);
    fresh.admin = admin;
    return fresh;
  }

  /**
   * Before the engine starts: the store restores at least to where the topic ends now before any
   * task runs.
   */
  public void restoresToTheEnd() {
    try {
      readUpTo(topicEnd.getAsLong());
    } catch (RuntimeException e) {
      LOG.warn("cannot ask where the template topic ends: {}", e.toString());
    }
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
  }

  /** One that never waits: for a store that is always current (a topology test's). */
  public static TemplateFreshness never() {
    return new TemplateFreshness(() -> 0, Clock.systemUTC(), Duration.ZERO);
  }

  /** The store has read the records before {@code offset}. */
  public synchronized void readUpTo(long offset) {
    if (offset > read) {
      read = offset;
      notifyAll();
    }
  }

  @Override
  public void asOf(long sentAtMillis) {
    long target;
    synchronized (this) {
      target = sentAtMillis <= askedAt ? end : -1;
    }
    if (target < 0) {
      long at = clock.millis();
      try {
        target = topicEnd.getAsLong();
      } catch (RuntimeException e) {
        LOG.warn(
            "cannot ask where the template topic ends: using the store as it is: {}", e.toString());
        return;
      }
      synchronized (this) {
        if (at > askedAt) {
          askedAt = at;
          end = target;
        }
      }
    }
    awaitRead(target);
  }

  private synchronized void awaitRead(long target) {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (read < target && target > gaveUpAt) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        gaveUpAt = target;
        LOG.warn(
            "the template store has read up to offset {} of {} after {}: using it as it is",
            read,
            target,
            maxWait);
        return;
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
