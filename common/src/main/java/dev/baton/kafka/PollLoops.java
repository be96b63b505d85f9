package dev.baton.kafka;

import org.apache.kafka.clients.consumer.Consumer;

/** Threads that poll a Kafka consumer until told to stop. */
public final class PollLoops {
  private PollLoops() {}

  /**
   * Wakes {@code consumer} out of its poll and waits up to 10 s for {@code loop} to end; call it
   * after telling the loop to stop.
   */
  public static void stop(Consumer<?, ?> consumer, Thread loop) {
    consumer.wakeup();
    try {
      loop.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
