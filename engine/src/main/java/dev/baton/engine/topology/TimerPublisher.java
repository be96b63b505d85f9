package dev.baton.engine.topology;

import dev.baton.concurrent.Ticker;
import dev.baton.engine.apply.Outbounds;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.engine.state.PartitionServices;
import dev.baton.events.TimerFired;
import dev.baton.kafka.KafkaProperties;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns due timers and admissions into input records (design §5): every tick, for each partition
 * whose task runs in this engine, it leases the timers due (pushes them {@link #LEASE} ahead in
 * Redis) and publishes each as a {@code TimerFired} on the timers topic, keyed by run id; queued
 * runs whose template has a free slot, or whose tenant runs fewer than its quota, become ADMIT
 * commands. A timer is deleted only when its record is applied, in the same atomic save as the
 * state, so a record lost on the way fires again when its lease ends, and one published twice is a
 * duplicate event id.
 *
 * <p>It publishes outside the stream threads' transactions on purpose: a Kafka Streams punctuator
 * makes every task commit a transaction at every tick, so an idle engine would commit dozens of
 * empty transactions a second. This costs an idle engine one Redis call per owned partition per
 * tick.
 */
public final class TimerPublisher implements OwnedPartitions, AutoCloseable {
  static final Duration LEASE = Duration.ofSeconds(10);
  private static final int MAX_PER_TICK = 500;
  private static final Logger LOG = LoggerFactory.getLogger(TimerPublisher.class);

  private final PartitionServices runs;
  private final Outbounds outbounds;
  private final Duration tick;
  private final Clock clock;
  private final Supplier<Map<String, Integer>> runQuotas;
  private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
  private final Properties producerProperties;
  private KafkaProducer<String, byte[]> producer;
  private Ticker ticker;
  private volatile String lastFailure;
  private long ticks;

  public TimerPublisher(
      PartitionServices runs,
      Topics topics,
      Wire wire,
      String bootstrapServers,
      Map<String, String> kafka,
      Duration tick,
      Clock clock,
      Supplier<Map<String, Integer>> runQuotas,
      AttemptTokens tokens) {
    this.runs = runs;
    this.runQuotas = runQuotas;
    this.outbounds = new Outbounds(topics, wire, tokens); // ADMIT commands carry its signature
    this.tick = tick;
    this.clock = clock;
    producerProperties = KafkaProperties.reliableProducer(bootstrapServers, kafka);
  }

  /** A task of this engine owns {@code partition}: its timers are published from now on. */
  @Override
  public void own(int partition) {
    owned.add(partition);
  }

  /** The task of {@code partition} left this engine. */
  @Override
  public void disown(int partition) {
    owned.remove(partition);
  }

  public TimerPublisher start() {
    producer =
        new KafkaProducer<>(producerProperties, new StringSerializer(), new ByteArraySerializer());
    ticker = Ticker.every(tick, "baton-timers", this::publishDue);
    return this;
  }

  /**
   * One tick: the due timers of every owned partition, then the admissions. Infrastructure failures
   * wait for the next tick.
   */
  void publishDue() {
    if (owned.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    try {
      for (int partition : owned) {
        for (TimerFired timer : runs.leaseDueTimers(partition, now, MAX_PER_TICK, LEASE)) {
          send(outbounds.timer(timer));
        }
      }
      for (String runId : runs.leaseAdmissions(now, LEASE)) {
        send(outbounds.admit(runId, now));
      }
      Map<String, Integer> quotas = runQuotas.get();
      // With no quota in force only runs queued under an earlier one wait: a look a second does.
      if (runs.tenantRuns() != null && (!quotas.isEmpty() || ticks++ % 10 == 0)) {
        for (String runId : runs.tenantRuns().lease(quotas, now.toEpochMilli(), MAX_PER_TICK)) {
          send(outbounds.admitForTenant(runId, now));
        }
      }
      lastFailure = null;
    } catch (RuntimeException e) {
      // Redis or Kafka away: the leases run out and the timers fire again; say so once, not every
      // tick.
      if (!e.toString().equals(lastFailure)
          && !ticker.closing()) { // a tick cut short by close() is no news
        LOG.warn(
            "cannot publish due timers now ({}); trying again every {} ms",
            e.toString(),
            tick.toMillis());
        lastFailure = e.toString();
      }
    }
  }

  private void send(OutboundRecord out) {
    // Not awaited: a lost send is sent again when its lease runs out.
    var unused = producer.send(new ProducerRecord<>(out.topic(), out.key(), out.value()));
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
