package dev.baton.engine.topology;

import dev.baton.engine.apply.ApplyServices;
import dev.baton.engine.apply.EngineCounters;
import dev.baton.engine.apply.Inbound;
import dev.baton.engine.apply.InboundParser;
import dev.baton.engine.apply.Outbounds;
import dev.baton.engine.apply.RunTracing;
import dev.baton.engine.apply.SlotGate;
import dev.baton.engine.apply.StrayRecords;
import dev.baton.engine.correlate.CorrelationProcessor;
import dev.baton.engine.decide.ArtifactItems;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.state.RunRepository;
import dev.baton.engine.tenants.Tenancy;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import dev.baton.template.ParsedTemplates;
import dev.baton.tracing.Spans;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's Kafka Streams topology (design §1):
 *
 * <pre>
 *   triggers ─ key by run id ─┬─ on its run's partition ─┐
 *                             └─ repartition by run id ──┤
 *   completions ──────────────────────────────────────────┼─ run processor (Redis, decide) ─┬─ dispatch
 *   commands ─────────────────────────────────────────────┤          ▲                      ├─ events
 *   timers (due, from Redis) ─────────────────────────────┘          │                      │
 *   templates (compacted) ─ global table ────────────────────────────┘                      └─ dlq
 *
 *   correlations ─ correlation processor (store by key) ─ DELIVER commands, dlq
 * </pre>
 *
 * Due timers and admissions reach the timers and commands topics through {@link TimerPublisher}.
 * One private method per sub-flow; every operator is named.
 */
public final class EngineTopology {
  private static final Logger LOG = LoggerFactory.getLogger(EngineTopology.class);
  public static final String TEMPLATE_STORE = "baton-templates";

  private EngineTopology() {}

  /**
   * What the topology is built from: its topics, the run repository and counters, and the settings
   * below, whose defaults suit tests (one partition, exactly once committing as soon as drained,
   * JSON, no timer publisher, the process's completion key).
   */
  public static Wiring wiring(Topics topics, RunRepository runs, EngineCounters counters) {
    return new Wiring(topics, runs, counters);
  }

  /** The settings of a topology to be built, as public fields. */
  public static final class Wiring {
    private final Topics topics;
    private final RunRepository runs;
    private final EngineCounters counters;

    /** Told which partitions this engine's tasks own (the timer publisher). */
    public OwnedPartitions owned = OwnedPartitions.NONE;

    /** The encoding the engine writes. */
    public Wire wire = Wire.json();

    /** Reads the items of an artifact a forEach iterates over (none: such a forEach fails). */
    public Function<String, ArtifactItems> artifactItems = Needs.NO_ARTIFACTS;

    /** Exactly once (the default) or at least once. */
    public ProcessingMode mode = ProcessingMode.EXACTLY_ONCE;

    /**
     * Exactly once, each task asks for a commit as soon as its input is drained, unless its last
     * commit is more recent than this (then the commit interval commits it).
     */
    public Duration commitSpacing = Duration.ZERO;

    /**
     * The partitions of the topics keyed by run id (completions, commands, timers), which the
     * re-keyed triggers get too.
     */
    public int runPartitions = 1;

    /** The key completions must be signed with. */
    public AttemptTokens tokens = AttemptTokens.processDefault();

    /** The engine's parsed templates (shared with its trigger rules). */
    public ParsedTemplates templates = loggedTemplates();

    /** Job slots shared between tenants (off by default). */
    public Tenancy tenancy = Tenancy.OFF;

    /** False (tests): a task's batch is applied only by the commit hook. */
    public boolean applyWhenDrained = true;

    /** Each ended run's summary goes to the history topic. */
    public boolean runHistory = true;

    /** Whether a topic of a template's (emit, service) exists now; every one does in tests. */
    public Predicate<String> topicExists = topic -> true;

    /** Where the runs' spans go ({@link dev.baton.tracing.Spans#OFF}: nowhere). */
    public Spans spans = Spans.OFF;

    /**
     * Told how far the template store has read; a trigger's template is looked up once the store
     * has read what was applied before it ({@link TemplateFreshness#never}: tests).
     */
    public TemplateFreshness templatesFresh = TemplateFreshness.never();

    private Wiring(Topics topics, RunRepository runs, EngineCounters counters) {
      this.topics = topics;
      this.runs = runs;
      this.counters = counters;
    }

    public Topology build() {
      return EngineTopology.build(this);
    }
  }

  /** Template cache whose invalid templates are logged once each. */
  public static ParsedTemplates loggedTemplates() {
    return new ParsedTemplates(
        why -> LOG.error("template {} in the store is invalid and cannot start runs", why));
  }

  private static Topology build(Wiring w) {
    Topics topics = w.topics;
    boolean exactlyOnce = w.mode == ProcessingMode.EXACTLY_ONCE;
    int runPartitions = w.runPartitions;
    if (runPartitions < 1) {
      throw new IllegalArgumentException("runPartitions must be at least 1, got " + runPartitions);
    }
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(CommitHook.builder());
    templateStore(builder, topics, w.templatesFresh);
    KStream<String, Inbound> inputs =
        triggersByRun(builder, topics, w.wire, exactlyOnce, runPartitions)
            .merge(
                tagged(builder, topics.completions(), Inbound.Kind.COMPLETION),
                Named.as("merge-completions"))
            .merge(
                tagged(builder, topics.commands(), Inbound.Kind.COMMAND),
                Named.as("merge-commands"))
            .merge(tagged(builder, topics.timers(), Inbound.Kind.TIMER), Named.as("merge-timers"));
    inputs
        .process(
            () ->
                new RunProcessor(
                    w,
                    new ApplyServices(
                        w.runs,
                        new Outbounds(topics, w.wire, w.tokens, w.topicExists),
                        w.counters,
                        w.tenancy.sharesSlots() && w.runs.slots() != null
                            ? new SlotGate(w.runs.slots(), w.tenancy, topics, w.wire)
                            : null,
                        w.tenancy::maxRuns,
                        w.runHistory,
                        new RunTracing(w.spans),
                        w.artifactItems),
                    new InboundParser(w.wire, w.tokens),
                    new StrayRecords(
                        runPartitions, new Outbounds(topics, w.wire, w.tokens), w.counters)),
            Named.as("run-processor"),
            CommitHook.NAME)
        .to(
            (key, value, context) -> value.topic(),
            Produced.with(Serdes.String(), new OutboundSerde()).withName("to-outputs"));
    correlations(builder, topics, w.wire, w.tokens);
    return builder.build();
  }

  /**
   * Awaited events and the wait steps waiting for them meet on the correlations topic, by
   * correlation key; deliveries go to the commands topic. The stores are in memory, restored from
   * their changelogs: a RocksDB store is flushed to disk at every commit, and a delivery asks for
   * its commit at once (baton bench --wait-step: in memory, an event to the next dispatch took 1.5x
   * a plain step at half load; on RocksDB 2.2x).
   */
  private static void correlations(
      StreamsBuilder builder, Topics topics, Wire wire, AttemptTokens tokens) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(CorrelationProcessor.STORE),
            Serdes.String(),
            Serdes.String()));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(CorrelationProcessor.EXPIRY_STORE),
            Serdes.String(),
            Serdes.String()));
    builder.stream(
            topics.correlations(),
            Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("correlations-source"))
        .process(
            () -> new CorrelationProcessor(topics, wire, tokens),
            Named.as("correlation-processor"),
            CorrelationProcessor.STORE,
            CorrelationProcessor.EXPIRY_STORE)
        .to(
            (key, value, context) -> value.topic(),
            Produced.with(Serdes.String(), new OutboundSerde())
                .withName("correlations-to-outputs"));
  }

  /** The template topic, read into a global store; how far it has read goes to {@code fresh}. */
  private static void templateStore(
      StreamsBuilder builder, Topics topics, TemplateFreshness fresh) {
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(TEMPLATE_STORE), Serdes.String(), Serdes.String())
            .withLoggingDisabled(),
        topics.templates(),
        Consumed.with(Serdes.String(), Serdes.String()).withName("templates-source"),
        () -> new TemplateStoreUpdater(fresh));
  }

  /**
   * Triggers keyed by run id: those already on their run's partition go straight to the run
   * processor, the others through a repartition topic with as many partitions as the run topics.
   */
  private static KStream<String, Inbound> triggersByRun(
      StreamsBuilder builder, Topics topics, Wire wire, boolean exactlyOnce, int runPartitions) {
    var routed =
        builder.stream(
                topics.triggers(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("triggers-source"))
            .process(
                () -> new TriggerKeyProcessor(wire, exactlyOnce, runPartitions),
                Named.as("trigger-key-by-run"))
            .split(Named.as("trigger-"))
            .branch((runId, trigger) -> trigger.here(), Branched.as("here"))
            .defaultBranch(Branched.as("elsewhere"));
    KStream<String, Inbound> rekeyed =
        routed
            .get("trigger-elsewhere")
            .mapValues(KeyedTrigger::value, Named.as("trigger-bytes"))
            .repartition(
                Repartitioned.with(Serdes.String(), Serdes.ByteArray())
                    .withName("triggers-by-run")
                    .withNumberOfPartitions(runPartitions))
            .mapValues(v -> new Inbound(Inbound.Kind.TRIGGER, v), Named.as("tag-rekeyed-triggers"));
    return routed
        .get("trigger-here")
        .mapValues(
            t -> new Inbound(Inbound.Kind.TRIGGER, t.value(), t.trigger()),
            Named.as("tag-triggers"))
        .merge(rekeyed, Named.as("merge-rekeyed-triggers"));
  }

  private static KStream<String, Inbound> tagged(
      StreamsBuilder builder, String topic, Inbound.Kind kind) {
    String name = kind.name().toLowerCase(Locale.ROOT);
    return builder.stream(
            topic, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(name + "-source"))
        .mapValues(v -> new Inbound(kind, v), Named.as("tag-" + name));
  }
}
