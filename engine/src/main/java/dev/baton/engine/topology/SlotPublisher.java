package dev.baton.engine.topology;

import dev.baton.concurrent.Ticker;
import dev.baton.engine.state.JobSlots;
import dev.baton.engine.tenants.Tenancy;
import dev.baton.kafka.KafkaProperties;
import dev.baton.serde.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every tick, hands free job slots to queued attempts, by tenant weight ({@link JobSlots#grant}),
 * and publishes their dispatches. Several engines may run one each: the grant is atomic in Redis. A
 * dispatch lost on the way is sent again when its grant's lease ends (no start report).
 */
public final class SlotPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SlotPublisher.class);

  private final JobSlots slots;
  private final Tenancy tenancy;
  private final Topics topics;
  private final Duration tick;
  private final Properties producerProperties;
  private KafkaProducer<String, byte[]> producer;
  private Ticker ticker;
  private volatile long lastWarning;

  public SlotPublisher(
      JobSlots slots,
      Tenancy tenancy,
      Topics topics,
      String bootstrapServers,
      Map<String, String> kafka,
      Duration tick) {
    this.slots = slots;
    this.tenancy = tenancy;
    this.topics = topics;
    this.tick = tick;
    this.producerProperties = KafkaProperties.reliableProducer(bootstrapServers, kafka);
  }

  public SlotPublisher start() {
    producer =
        new KafkaProducer<>(producerProperties, new StringSerializer(), new ByteArraySerializer());
    ticker = Ticker.every(tick, "baton-job-slots", this::grant);
    return this;
  }

  void grant() {
    try {
      for (JobSlots.Grant g :
          slots.grant(tenancy.jobCapacity(), tenancy.shares(), System.currentTimeMillis())) {
        var unused = // not awaited: a lost send is sent again when its lease ends
            producer.send(new ProducerRecord<>(topics.dispatch(), g.runId(), g.record()));
      }
    } catch (RuntimeException e) {
      long now = System.currentTimeMillis();
      if (now - lastWarning > 60_000 && !ticker.closing()) { // once a minute, not every tick
        LOG.warn("cannot grant job slots now ({}); trying again every {} ms", e, tick.toMillis());
        lastWarning = now;
      }
    }
  }

  @Override
  public void close() {
    if (ticker != null) {
      ticker.close();
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }
}
