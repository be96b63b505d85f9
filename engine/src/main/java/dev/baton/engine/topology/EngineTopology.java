package dev.baton.engine.topology;

import dev.baton.engine.state.OutboundRecord;
import dev.baton.engine.state.RunRepository;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The engine's Kafka Streams topology (design §1):
 * <pre>
 *   triggers ─ key by run id ─ repartition ─┐
 *   completions ────────────────────────────┼─ run processor (Redis, decide) ─┬─ dispatch
 *   commands ───────────────────────────────┤          ▲                      ├─ events
 *   timers (due timers, own) ───────────────┘          │                      ├─ timers, commands (ADMIT)
 *   templates (compacted) ─ global table ──────────────┘                      └─ dlq
 * </pre>
 * One private method per sub-flow; every operator is named.
 */
public final class EngineTopology {
  public static final String TEMPLATE_STORE = "baton-templates";

  private EngineTopology() {}

  public static Topology build(Topics topics, RunRepository runs, EngineCounters counters) {
    return build(topics, runs, counters, java.time.Duration.ofMillis(100), Wire.json(), false);
  }

  /**
   * {@code tick}: how often each task looks for due timers and admissions; {@code wire}: the
   * encoding it writes; {@code writeBehind}: saves go to Redis in one pipeline per commit (only
   * under exactly-once, where nothing forwarded is visible before the commit).
   */
  public static Topology build(Topics topics, RunRepository runs, EngineCounters counters, java.time.Duration tick, Wire wire,
      boolean writeBehind) {
    StreamsBuilder builder = new StreamsBuilder();
    if (writeBehind) {
      builder.addStateStore(PendingSaves.builder());
    }
    java.util.concurrent.atomic.AtomicLong guessesPausedUntil = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
    String[] stores = writeBehind ? new String[] {PendingSaves.NAME} : new String[0];
    templateStore(builder, topics);
    KStream<String, Inbound> inputs = triggersByRun(builder, topics, wire)
        .merge(tagged(builder, topics.completions(), Inbound.Kind.COMPLETION), Named.as("merge-completions"))
        .merge(tagged(builder, topics.commands(), Inbound.Kind.COMMAND), Named.as("merge-commands"))
        .merge(tagged(builder, topics.timers(), Inbound.Kind.TIMER), Named.as("merge-timers"));
    inputs
        .process(() -> new RunProcessor(runs, new InboundParser(wire), new Outbounds(topics, wire), counters, TEMPLATE_STORE, tick,
            writeBehind, guessesPausedUntil), Named.as("run-processor"), stores)
        .to((key, value, context) -> value.topic(),
            Produced.with(Serdes.String(), new OutboundSerde()).withName("to-outputs"));
    return builder.build();
  }

  private static void templateStore(StreamsBuilder builder, Topics topics) {
    builder.globalTable(topics.templates(),
        Consumed.with(Serdes.String(), Serdes.String()).withName("templates-source"),
        Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as(TEMPLATE_STORE)
            .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
  }

  private static KStream<String, Inbound> triggersByRun(StreamsBuilder builder, Topics topics, Wire wire) {
    return builder.stream(topics.triggers(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("triggers-source"))
        .process(() -> new TriggerKeyProcessor(wire), Named.as("trigger-key-by-run"))
        .repartition(Repartitioned.with(Serdes.String(), Serdes.ByteArray()).withName("triggers-by-run"))
        .mapValues(v -> new Inbound(Inbound.Kind.TRIGGER, v), Named.as("tag-triggers"));
  }

  private static KStream<String, Inbound> tagged(StreamsBuilder builder, String topic, Inbound.Kind kind) {
    String name = kind.name().toLowerCase();
    return builder.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(name + "-source"))
        .mapValues(v -> new Inbound(kind, v), Named.as("tag-" + name));
  }
}
