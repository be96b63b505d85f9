package dev.baton.engine;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams settings of the engine, from its configuration. */
public final class StreamsSettings {
  private StreamsSettings() {}

  // PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG is deprecated from its first release (4.3):
  // Kafka Streams 5.0 removes it and always does what it asks for.
  @SuppressWarnings("deprecation")
  static Properties of(EngineConfig config) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.processingGuarantee());
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.replicationFactor());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
    if (config.exactlyOnce()) {
      // A task whose records come together may leave its last ones to the interval commit: the
      // stream
      // thread must wake for it even when no record comes (twice an interval: an idle engine wakes
      // 50 times a second).
      p.put(
          StreamsConfig.POLL_MS_CONFIG,
          Math.max(1, Math.min(100, 2 * config.commitInterval().toMillis())));
    }
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    // Each input record of a run is applied on its own merits, never joined with another stream: a
    // task processes what it has instead of idling until every input partition has data or is
    // known empty (the default waits for partitions with open transactions, the engine's own among
    // them).
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
    p.putAll(producerDefaults(config.processingGuarantee()));
    p.putAll(config.kafka());
    return p;
  }

  /**
   * Producer settings of the engine's stream threads. At least once, records leave when sent rather
   * than at commit: Kafka Streams' own producer default (linger.ms=100) would hold each dispatch
   * that long, so the engine sends at once. Exactly once, transactions follow each other closely (a
   * commit as soon as a task's input is drained): the first request of a transaction often meets
   * the coordinator still finishing the one before (CONCURRENT_TRANSACTIONS), and the client's
   * default 100 ms retry backoff would then stall the step; 5 ms retries soon after, growing to 1 s
   * when a broker really is away.
   */
  public static Map<String, Object> producerDefaults(String processingGuarantee) {
    String prefix = StreamsConfig.producerPrefix("");
    return EngineConfig.AT_LEAST_ONCE.equals(processingGuarantee)
        ? Map.of(prefix + ProducerConfig.LINGER_MS_CONFIG, 1)
        : Map.of(
            prefix + ProducerConfig.RETRY_BACKOFF_MS_CONFIG,
            5,
            prefix + ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG,
            1000);
  }
}
