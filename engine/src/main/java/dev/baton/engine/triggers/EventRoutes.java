package dev.baton.engine.triggers;

import dev.baton.engine.correlate.CorrelationRecord;
import dev.baton.engine.decide.TriggerChecks;
import dev.baton.events.WorkflowTrigger;
import dev.baton.expressions.Expressions;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import dev.baton.template.JobSpec;
import dev.baton.template.Template;
import dev.baton.template.TriggerRule;
import dev.baton.template.WaitSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What each domain event maps to under the applied templates' trigger rules ({@code on:}, the
 * latest version of each) and event waits ({@code wait.event}, every stored version): a trigger per
 * rule whose filter passes, keyed by the run it starts; a correlation record per key of the waits
 * it passed; or, for what cannot be evaluated or is too large, a dead letter with the reason.
 * Kafka-free: {@link TriggerRouter} reads the events and writes what this returns.
 */
final class EventRoutes {
  /** Most bytes of a trigger the router writes: under the producer's 1 MiB with its framing. */
  static final int MAX_TRIGGER_BYTES = 1_000_000;

  /** Most bytes of one event's record on the correlations topic (outputs of all its waits). */
  static final int MAX_CORRELATION_BYTES = 256 * 1024;

  /** What one event leads to. */
  sealed interface Routed {
    /** A trigger a rule starts. */
    record Trigger(ProducerRecord<String, byte[]> record) implements Routed {}

    /** The event for the waits on one correlation key. */
    record Correlation(ProducerRecord<String, byte[]> record) implements Routed {}

    /** A rule whose filter said no. */
    record Ignored() implements Routed {}

    /** The event goes to the dead-letter topic with this reason. */
    record DeadLetter(String reason) implements Routed {}
  }

  record Rule(Template template, TriggerRule rule) {}

  /**
   * A wait step's event rule, as one or more stored versions of its template define it alike
   * (whatever each run's {@code match}): evaluated once per event, routed under each version's
   * name.
   */
  record WaitRule(String template, String job, WaitSpec.EventWait event, List<Integer> versions) {
    List<String> names() {
      return versions.stream().map(v -> WaitSpec.ruleName(template, v, job)).toList();
    }

    /** For dead letters: {@code template/job} and its versions. */
    String describe() {
      return template
          + "/"
          + job
          + "' (version"
          + (versions.size() > 1 ? "s " : " ")
          + versions.stream().map(String::valueOf).collect(Collectors.joining(", "))
          + ")";
    }
  }

  /** What makes two versions' waits the same rule for routing: all but the run's match. */
  private record WaitDefinition(
      String template,
      String job,
      String topic,
      String key,
      String filter,
      Map<String, String> outputs,
      Duration buffer) {}

  private final Topics topics;
  private final Wire wire;
  private final Map<String, List<Rule>> rules;
  private final Map<String, List<WaitRule>> waits;

  private EventRoutes(
      Topics topics, Wire wire, Map<String, List<Rule>> rules, Map<String, List<WaitRule>> waits) {
    this.topics = topics;
    this.wire = wire;
    this.rules = rules;
    this.waits = waits;
  }

  /** No rules and no waits. */
  static EventRoutes none(Topics topics, Wire wire) {
    return new EventRoutes(topics, wire, Map.of(), Map.of());
  }

  /** The routes of the templates {@code catalog} holds now. */
  static EventRoutes of(TemplateCatalog catalog, Topics topics, Wire wire) {
    Map<String, List<Rule>> next = new LinkedHashMap<>();
    Map<String, List<WaitRule>> nextWaits = new LinkedHashMap<>();
    for (Template t : catalog.latest()) {
      for (TriggerRule rule : t.on()) {
        if (rule.topic() == null) {
          continue; // a webhook: the API starts its runs
        }
        next.computeIfAbsent(rule.topic(), k -> new ArrayList<>()).add(new Rule(t, rule));
      }
    }
    // Waits of every stored version: a run waits as the version it started with says.
    Map<WaitDefinition, List<Integer>> versions = new LinkedHashMap<>();
    Map<WaitDefinition, WaitSpec.EventWait> events = new HashMap<>();
    for (Template t : catalog.allVersions()) {
      for (JobSpec job : t.jobs()) {
        if (job.waitFor() != null && job.waitFor().event() != null) {
          WaitSpec.EventWait e = job.waitFor().event();
          WaitDefinition d =
              new WaitDefinition(
                  t.name(), job.name(), e.topic(), e.key(), e.filter(), e.outputs(), e.buffer());
          versions.computeIfAbsent(d, k -> new ArrayList<>()).add(t.version());
          events.putIfAbsent(d, e);
        }
      }
    }
    versions.forEach(
        (d, vs) ->
            nextWaits
                .computeIfAbsent(d.topic(), k -> new ArrayList<>())
                .add(
                    new WaitRule(
                        d.template(), d.job(), events.get(d), vs.stream().sorted().toList())));
    return new EventRoutes(topics, wire, next, nextWaits);
  }

  /** The topics the rules and waits follow. */
  Set<String> topics() {
    Set<String> out = new TreeSet<>(rules.keySet());
    out.addAll(waits.keySet());
    return out;
  }

  boolean isEmpty() {
    return rules.isEmpty() && waits.isEmpty();
  }

  /** What {@code record}, read as {@code event}, leads to: for its waits first, then its rules. */
  List<Routed> route(ConsumerRecord<byte[], byte[]> record, Map<String, Object> event) {
    List<Routed> out = new ArrayList<>();
    routeToWaits(record, event, out);
    for (Rule r : rules.getOrDefault(record.topic(), List.of())) {
      try {
        if (r.rule().filter() != null && !Expressions.evalEventBool(r.rule().filter(), event)) {
          out.add(new Routed.Ignored());
          continue;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (Map.Entry<String, String> p : r.rule().params().entrySet()) {
          params.put(p.getKey(), Expressions.text(Expressions.evalEvent(p.getValue(), event)));
        }
        String key =
            r.template().name()
                + "/"
                + (r.rule().idempotencyKey() == null
                    ? record.topic() + "-" + record.partition() + "@" + record.offset()
                    : record.topic() + "/" + eventKey(r.rule().idempotencyKey(), event));
        long paramBytes = TriggerChecks.paramBytes(params);
        if (paramBytes > TriggerChecks.MAX_PARAM_BYTES) {
          throw new Expressions.InvalidExpressionException(
              "its params from this event are "
                  + paramBytes
                  + " bytes; a trigger may carry at most "
                  + TriggerChecks.MAX_PARAM_BYTES);
        }
        WorkflowTrigger trigger =
            WorkflowTrigger.newBuilder()
                .setTemplate(r.template().name())
                .setParams(params)
                .setIdempotencyKey(key)
                .setOccurredAt(Instant.ofEpochMilli(record.timestamp()))
                .build();
        ProducerRecord<String, byte[]> record1 = TriggerRecords.keyedByRun(topics, wire, trigger);
        if (record1.value().length > MAX_TRIGGER_BYTES) {
          throw new Expressions.InvalidExpressionException(
              "the trigger it maps to is "
                  + record1.value().length
                  + " bytes; at most "
                  + MAX_TRIGGER_BYTES);
        }
        out.add(new Routed.Trigger(record1));
      } catch (Expressions.InvalidExpressionException e) {
        out.add(
            new Routed.DeadLetter(
                "trigger rule of template '"
                    + r.template().name()
                    + "' on "
                    + record.topic()
                    + ": "
                    + e.getMessage()));
      }
    }
    return out;
  }

  /**
   * An event on a topic that wait steps wait on: for each wait whose filter passes, its correlation
   * key and outputs; one record per key to the correlations topic, where the waiting attempts are.
   * A key, filter or output that cannot be evaluated dead-letters the event with the wait's name.
   */
  private void routeToWaits(
      ConsumerRecord<byte[], byte[]> record, Map<String, Object> event, List<Routed> out) {
    List<WaitRule> ws = waits.getOrDefault(record.topic(), List.of());
    if (ws.isEmpty()) {
      return;
    }
    Map<String, Map<String, Map<String, String>>> byKey = new LinkedHashMap<>();
    Map<String, Long> buffers = new HashMap<>();
    for (WaitRule w : ws) {
      WaitSpec.EventWait e = w.event();
      try {
        if (e.filter() != null && !Expressions.evalEventBool(e.filter(), event)) {
          continue;
        }
        String key = eventKey(e.key(), event);
        if (key.length() > WaitSpec.MAX_KEY_CHARS) {
          throw new Expressions.InvalidExpressionException(
              "key '"
                  + Expressions.shortened(e.key())
                  + "' gave "
                  + key.length()
                  + " characters; at most "
                  + WaitSpec.MAX_KEY_CHARS);
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        for (Map.Entry<String, String> o : e.outputs().entrySet()) {
          outputs.put(o.getKey(), Expressions.text(Expressions.evalEvent(o.getValue(), event)));
        }
        Map<String, Map<String, String>> rules =
            byKey.computeIfAbsent(key, k -> new LinkedHashMap<>());
        w.names().forEach(name -> rules.put(name, outputs));
        buffers.merge(key, e.buffer().toMillis(), Math::max);
      } catch (Expressions.InvalidExpressionException ex) {
        out.add(
            new Routed.DeadLetter(
                "wait '" + w.describe() + " on " + record.topic() + ": " + ex.getMessage()));
      }
    }
    String id = eventId(record);
    for (Map.Entry<String, Map<String, Map<String, String>>> k : byKey.entrySet()) {
      byte[] value =
          CorrelationRecord.encode(
              new CorrelationRecord.Event(
                  id,
                  record.topic(),
                  k.getKey(),
                  record.timestamp(),
                  buffers.get(k.getKey()),
                  k.getValue()));
      if (value.length > MAX_CORRELATION_BYTES) {
        out.add(
            new Routed.DeadLetter(
                "waits "
                    + k.getValue().keySet()
                    + " on "
                    + record.topic()
                    + ": their outputs from this event are "
                    + value.length
                    + " bytes; at most "
                    + MAX_CORRELATION_BYTES));
        continue;
      }
      out.add(
          new Routed.Correlation(
              new ProducerRecord<>(
                  topics.correlations(),
                  CorrelationRecord.key(record.topic(), k.getKey()),
                  value)));
    }
  }

  /**
   * An event's id: a hash of its topic, key and value, so the same record sent twice has one id.
   */
  static String eventId(ConsumerRecord<byte[], byte[]> record) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(record.topic().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      if (record.key() != null) {
        sha.update(record.key());
      }
      sha.update((byte) 0);
      if (record.value() != null) {
        sha.update(record.value());
      }
      return record.topic() + ":" + HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The rule's key for this event: a value, and not an empty one (every such event would be one
   * run).
   */
  private static String eventKey(String expression, Map<String, Object> event)
      throws Expressions.InvalidExpressionException {
    String key = Expressions.text(Expressions.evalEvent(expression, event));
    if (key.isBlank()) {
      throw new Expressions.InvalidExpressionException(
          "key '" + Expressions.shortened(expression) + "' gave an empty string");
    }
    return key;
  }
}
