package dev.baton.cli;

import dev.baton.artifacts.ArtifactSettings;
import dev.baton.artifacts.S3ArtifactStore;
import dev.baton.engine.artifacts.ArtifactItemsReader;
import dev.baton.engine.decide.ArtifactItems;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.replay.Replay;
import dev.baton.engine.topology.RecordedInputs;
import dev.baton.events.RunEvent;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.RunIds;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import dev.baton.settings.DurationText;
import dev.baton.template.ParsedTemplates;
import dev.baton.template.Template;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton replay}: reads a run's input records (triggers, completions, commands, timers) from
 * Kafka, runs them through the engine's decisions again and prints each beside what the engine
 * recorded on the events topic, flagging every difference; {@code --template-version N} shows what
 * version N would have decided instead. Exit 0: every decision reproduced and every recorded event
 * explained; 1: some differ, or the engine recorded events no replayed decision emits.
 */
@Command(
    name = "replay",
    description =
        "Replay a run's input records through the engine's decisions and compare each with what the engine recorded.",
    mixinStandardHelpOptions = true)
final class ReplayCmd implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin KafkaOptions kafka;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Option(
      names = "--template-version",
      paramLabel = "N",
      description = "Decide with version N of the run's template: what would it have done?")
  Integer templateVersion;

  @Option(
      names = "--since",
      defaultValue = "7d",
      paramLabel = "WHEN",
      description =
          "Read records from this far back: a time back (7d, the default) or an instant (the run's start or earlier)")
  String since;

  @Option(names = "--verbose", description = "Print every decision, not only the ones that differ")
  boolean verbose;

  /** Most records read from one topic partition. */
  static final int MAX_RECORDS = 5_000_000;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Instant from = from();
    if (templateVersion != null && templateVersion < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--template-version must be at least 1, got " + templateVersion);
    }
    Topics topics = kafka.topics();
    Wire wire = kafka.wire();
    Map<String, String> env = System.getenv();
    boolean keyed =
        !env.getOrDefault(AttemptTokens.KEY_FILE_VARIABLE, "").isBlank()
            || !env.getOrDefault(AttemptTokens.KEY_VARIABLE, "").isBlank();
    AttemptTokens tokens;
    try {
      tokens = keyed ? AttemptTokens.fromEnv(env, Optional.empty()) : null;
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("baton replay: " + e.getMessage());
      return 2;
    }
    RecordedInputs parser = new RecordedInputs(wire, tokens);
    if (!keyed) {
      out.printf(
          "(attempt tokens not checked: set %s or %s as the engine has it to refuse what it refused)%n",
          AttemptTokens.KEY_VARIABLE, AttemptTokens.KEY_FILE_VARIABLE);
    }
    List<Replay.Input> inputs = new ArrayList<>();
    List<RunEvent> recorded = new ArrayList<>();
    Map<String, String> store = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      readAll(consumer, topics.templates(), null, r -> store.put(r.key(), json(r.value())));
      readAll(
          consumer,
          topics.triggers(),
          from,
          r -> {
            String run = parser.runOfTrigger(r.value(), r.partition(), r.offset(), r.timestamp());
            if (runId.equals(run)) {
              inputs.add(input(parser, RecordedInputs.Kind.TRIGGER, r));
            }
          });
      readRun(
          consumer,
          topics.completions(),
          from,
          r -> inputs.add(input(parser, RecordedInputs.Kind.COMPLETION, r)));
      readRun(
          consumer,
          topics.commands(),
          from,
          r -> inputs.add(input(parser, RecordedInputs.Kind.COMMAND, r)));
      readRun(
          consumer,
          topics.timers(),
          from,
          r -> inputs.add(input(parser, RecordedInputs.Kind.TIMER, r)));
      readRun(
          consumer,
          topics.events(),
          from,
          r -> {
            try {
              recorded.add(wire.decode(r.value(), RunEvent.class));
            } catch (RuntimeException unreadable) {
              // not an event of this run that can be read: nothing to compare with
            }
          });
    } catch (KafkaException e) {
      spec.commandLine()
          .getErr()
          .println(
              "baton replay: cannot read the run's records from Kafka at "
                  + kafka.bootstrapServers()
                  + ": "
                  + e.getMessage());
      return 2;
    }
    if (inputs.stream().noneMatch(i -> i.at().startsWith(topics.triggers()))) {
      spec.commandLine()
          .getErr()
          .println(
              "baton replay: no trigger of run '"
                  + runId
                  + "' on "
                  + topics.triggers()
                  + " since "
                  + from
                  + " (an older run: --since; another deployment: --topic-prefix)");
      return 2;
    }
    ParsedTemplates parsed = new ParsedTemplates(bad -> {});
    Replay.Result result =
        Replay.run(
            inputs,
            recorded,
            (name, version) -> {
              String json = store.get(version == null ? name : Template.storeKey(name, version));
              return json == null ? null : parsed.of(json);
            },
            templateVersion,
            artifactItems());
    print(out, result);
    return result.differing() == 0 && result.notReplayed().isEmpty() ? 0 : 1;
  }

  /** A forEach over an artifact reads it from BATON_ARTIFACT_STORE, as the engine did. */
  private static Function<String, ArtifactItems> artifactItems() {
    ArtifactSettings settings = ArtifactSettings.fromEnvironment(System.getenv());
    return settings == null
        ? Needs.NO_ARTIFACTS
        : new ArtifactItemsReader(new S3ArtifactStore(settings), new SimpleMeterRegistry());
  }

  private void print(PrintWriter out, Replay.Result result) {
    long decisions = result.steps().stream().filter(s -> s.input().event() != null).count();
    long events = result.steps().stream().mapToLong(s -> s.emitted().size()).sum();
    out.printf(
        "run %s: %d input records, %d decisions replayed%s, %d events emitted%n",
        runId,
        result.steps().size(),
        decisions,
        templateVersion == null ? "" : " with template version " + templateVersion,
        events);
    for (Replay.Step s : result.steps()) {
      if (!verbose && s.differences().isEmpty()) {
        continue;
      }
      out.printf(
          "#%d %s %s%s%n",
          s.index(),
          s.input().at(),
          s.input().event() == null
              ? "refused: " + s.input().refused()
              : s.duplicate() ? "a duplicate: applied once" : s.input().eventId(),
          s.differences().isEmpty() ? "" : "  DIFFERS");
      for (RunEvent e : s.emitted()) {
        out.println(
            "    -> " + Replay.describe(e) + (e.getDetail() == null ? "" : ": " + e.getDetail()));
      }
      for (String d : s.differences()) {
        out.println("    !! " + d);
      }
    }
    Replay.Step first = result.firstDifference();
    if (first == null && result.notReplayed().isEmpty()) {
      out.printf("every decision reproduced: %d of %d events recorded%n", events, events);
    } else if (first == null) {
      out.printf("every replayed decision reproduced, but not every event recorded%n");
    } else {
      out.printf(
          "%d decision(s) differ; the first at #%d (%s)%n",
          result.differing(), first.index(), first.input().at());
    }
    if (!result.notReplayed().isEmpty()) {
      out.printf(
          "%d recorded event(s) no replayed decision emitted, the first: %s%n",
          result.notReplayed().size(), Replay.describe(result.notReplayed().get(0)));
    }
  }

  private Instant from() {
    Duration back = DurationText.parse(since);
    if (back != null) {
      return Instant.now().minus(back);
    }
    try {
      return Instant.parse(since);
    } catch (DateTimeParseException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--since must be a time back (7d, 12h) or an instant (2026-12-01T00:00:00Z), got '"
              + since
              + "'");
    }
  }

  private static String json(byte[] value) {
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  private static Replay.Input input(
      RecordedInputs parser, RecordedInputs.Kind kind, ConsumerRecord<String, byte[]> r) {
    var p =
        parser.parse(
            kind,
            r.key() == null ? null : r.key(),
            r.value(),
            r.topic(),
            r.partition(),
            r.offset(),
            r.timestamp());
    return new Replay.Input(
        p.event(),
        p.eventId(),
        p.refused(),
        r.timestamp(),
        r.topic() + "-" + r.partition() + "@" + r.offset());
  }

  private KafkaConsumer<String, byte[]> consumer() {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("isolation.level", "read_committed"); // what the engine applied: no aborted records
    p.put("enable.auto.commit", "false");
    p.put("max.poll.records", "5000");
    p.put("default.api.timeout.ms", "15000"); // a broker that is not there is told in 15 s
    p.putAll(KafkaOptions.clientProperties());
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** The run's records of a topic keyed by run id: its partition, keys equal to the run id. */
  private void readRun(
      KafkaConsumer<String, byte[]> consumer,
      String topic,
      Instant from,
      Consumer<ConsumerRecord<String, byte[]>> each) {
    int partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).size();
    TopicPartition tp = new TopicPartition(topic, RunIds.partition(runId, partitions));
    read(
        consumer,
        List.of(tp),
        from,
        r -> {
          if (runId.equals(r.key())) {
            each.accept(r);
          }
        });
  }

  private void readAll(
      KafkaConsumer<String, byte[]> consumer,
      String topic,
      Instant from,
      Consumer<ConsumerRecord<String, byte[]>> each) {
    List<TopicPartition> tps =
        consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
            .map(i -> new TopicPartition(topic, i.partition()))
            .toList();
    read(consumer, tps, from, each);
  }

  /** Every record of {@code tps} from {@code from} (null: the start) to their current end. */
  private static void read(
      KafkaConsumer<String, byte[]> consumer,
      List<TopicPartition> tps,
      Instant from,
      Consumer<ConsumerRecord<String, byte[]>> each) {
    consumer.assign(tps);
    Map<TopicPartition, Long> end = consumer.endOffsets(tps);
    Map<TopicPartition, Long> starts = new HashMap<>();
    if (from == null) {
      consumer.beginningOffsets(tps).forEach(starts::put);
    } else {
      Map<TopicPartition, Long> query = new HashMap<>();
      tps.forEach(tp -> query.put(tp, from.toEpochMilli()));
      Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
      tps.forEach(
          tp -> starts.put(tp, found.get(tp) == null ? end.get(tp) : found.get(tp).offset()));
    }
    starts.forEach(consumer::seek);
    Map<TopicPartition, Long> read = new HashMap<>();
    while (tps.stream()
        .anyMatch(
            tp -> consumer.position(tp) < end.get(tp) && read.getOrDefault(tp, 0L) < MAX_RECORDS)) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (r.offset() < end.get(tp)) {
          read.merge(tp, 1L, Long::sum);
          each.accept(r);
        }
      }
    }
  }
}
