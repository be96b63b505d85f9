package dev.baton.cli.bench;

import org.apache.kafka.clients.producer.KafkaProducer;

/** What a producer's own metrics say of its waits. */
final class ProducerWaits {
  private ProducerWaits() {}

  /**
   * Mean ms a record waited in {@code producer} before being sent, and mean request latency (its
   * last 30 s).
   */
  static String of(KafkaProducer<?, ?> producer) {
    double queue = Double.NaN;
    double request = Double.NaN;
    for (var e : producer.metrics().entrySet()) {
      if (e.getKey().group().equals("producer-metrics")
          && e.getKey().name().equals("record-queue-time-avg")) {
        queue = (Double) e.getValue().metricValue();
      } else if (e.getKey().group().equals("producer-metrics")
          && e.getKey().name().equals("request-latency-avg")) {
        request = (Double) e.getValue().metricValue();
      }
    }
    return String.format(
        "runtime producer: record queue time %.1f ms, request latency %.1f ms (means, last 30 s)",
        queue, request);
  }
}
