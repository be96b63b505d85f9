package dev.baton.engine.topology;

import dev.baton.engine.apply.EngineCounters;
import dev.baton.events.JobDispatch;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.events.TimerFired;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.EventCodec;
import dev.baton.serde.Topics;
import dev.baton.template.StoredTemplate;
import dev.baton.template.Templates;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The engine's topology in a TopologyTestDriver over an in-memory repository, with an input for
 * each topic the engine reads and an output for each it writes, and helpers to read them.
 */
final class TopologyFixture implements AutoCloseable {
  static final Topics TOPICS = Topics.defaults();

  final InMemoryRunRepository runs = new InMemoryRunRepository();
  final EngineCounters counters = new EngineCounters();
  final TopologyTestDriver driver;
  final TestInputTopic<String, String> templates;
  final TestInputTopic<String, String> triggers;
  final TestInputTopic<String, String> completions;
  final TestInputTopic<String, String> commands;
  final TestInputTopic<String, String> timers;
  final TestInputTopic<String, String> correlations;
  final TestOutputTopic<String, String> dispatch;
  final TestOutputTopic<String, String> events;
  final TestOutputTopic<String, String> dlq;
  final TestOutputTopic<String, String> commandsOut;
  final TestOutputTopic<String, String> completionsOut;
  final TestOutputTopic<String, String> triggersOut;
  final TestOutputTopic<String, String> correlationsOut;

  /** The default wiring, at least once (no commit spacing). */
  TopologyFixture() {
    this(w -> {});
  }

  /** The wiring as {@code settings} leave it. */
  TopologyFixture(Consumer<EngineTopology.Wiring> settings) {
    EngineTopology.Wiring wiring = EngineTopology.wiring(TOPICS, runs, counters);
    settings.accept(wiring);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-fixture");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(wiring.build(), props);
    templates = input(TOPICS.templates());
    triggers = input(TOPICS.triggers());
    completions = input(TOPICS.completions());
    commands = input(TOPICS.commands());
    timers = input(TOPICS.timers());
    correlations = input(TOPICS.correlations());
    dispatch = output(TOPICS.dispatch());
    events = output(TOPICS.events());
    dlq = output(TOPICS.dlq());
    commandsOut = output(TOPICS.commands());
    completionsOut = output(TOPICS.completions());
    triggersOut = output(TOPICS.triggers());
    correlationsOut = output(TOPICS.correlations());
  }

  private TestInputTopic<String, String> input(String topic) {
    return driver.createInputTopic(
        topic, Serdes.String().serializer(), Serdes.String().serializer());
  }

  private TestOutputTopic<String, String> output(String topic) {
    return driver.createOutputTopic(
        topic, Serdes.String().deserializer(), Serdes.String().deserializer());
  }

  /** Stores {@code yaml} as its template's version and as the latest. */
  void store(String yaml) {
    dev.baton.template.Template template;
    try {
      template = Templates.parse("t.yaml", yaml);
    } catch (dev.baton.template.InvalidTemplateException e) {
      throw new IllegalArgumentException(e);
    }
    String stored = StoredTemplate.of(template, yaml, "test", java.time.Instant.EPOCH).toJson();
    templates.pipeInput(template.name() + "@" + template.version(), stored);
    templates.pipeInput(template.name(), stored);
  }

  void trigger(String runId, String template) {
    triggers.pipeInput(runId, "{\"runId\":\"" + runId + "\",\"template\":\"" + template + "\"}");
  }

  /** A signed report of {@code status} for {@code attemptId} ({@code run/job[item]/attempt}). */
  static String report(
      String runId, String job, Integer item, int attempt, String status, String outputs) {
    String attemptId = runId + "/" + job + (item == null ? "" : "[" + item + "]") + "/" + attempt;
    return "{\"runId\":\""
        + runId
        + "\",\"job\":\""
        + job
        + "\""
        + (item == null ? "" : ",\"item\":" + item)
        + ",\"attempt\":"
        + attempt
        + ",\"status\":\""
        + status
        + "\",\"outputs\":"
        + outputs
        + ",\"token\":\""
        + AttemptTokens.processDefault().forJob(attemptId)
        + "\"}";
  }

  void complete(String runId, String job, Integer item, int attempt, String status) {
    completions.pipeInput(runId, report(runId, job, item, attempt, status, "{}"));
  }

  /** Feeds back the timer {@code id} as the timer publisher would when it is due. */
  void fire(String id) {
    TimerFired t = runs.timers.get(id);
    if (t == null) {
      throw new IllegalStateException("no timer " + id + "; timers: " + runs.timers.keySet());
    }
    timers.pipeInput(
        t.getRunId(),
        new String(EventCodec.of(TimerFired.class).encode(t), StandardCharsets.UTF_8));
  }

  List<RunEvent> runEvents() {
    return events.readValuesToList().stream()
        .map(v -> EventCodec.of(RunEvent.class).decode(v.getBytes(StandardCharsets.UTF_8)))
        .toList();
  }

  static List<RunEventType> types(List<RunEvent> events) {
    return events.stream().map(RunEvent::getType).toList();
  }

  List<JobDispatch> dispatches() {
    return dispatch.readValuesToList().stream()
        .map(v -> EventCodec.of(JobDispatch.class).decode(v.getBytes(StandardCharsets.UTF_8)))
        .toList();
  }

  /** The reasons of the dead letters written since the last read. */
  List<String> deadLetterReasons() {
    return dlq.readRecordsToList().stream()
        .map(
            r ->
                new String(
                    r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8))
        .toList();
  }

  @Override
  public void close() {
    driver.close();
  }
}
