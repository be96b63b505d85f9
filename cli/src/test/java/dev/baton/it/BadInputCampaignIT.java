package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.RunStatus;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.RunIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 generated bad records on the public topics, interleaved with good runs: every bad record
 * ends in the dead-letter topic with a reason or is counted as ignored or duplicate, the engine
 * never stops, and every good run succeeds.
 */
class BadInputCampaignIT {
  static BatonHarness baton;
  @TempDir static Path work;

  @BeforeAll
  static void startBaton() throws Exception {
    // Only the templates it needs: no trigger rules or schedules, whose events from other tests
    // would count here.
    baton = new BatonHarness("bad", work, null, 4);
    for (String name : List.of("hello.yaml", "pipeline.yaml")) {
      dev.baton.cli.TemplatePublisher.publish(
          baton.bootstrap,
          baton.topics.templates(),
          dev.baton.cli.TemplatePublisher.load(Path.of("../templates", name)));
    }
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", baton.bootstrap))) {
      Map<ConfigResource, Collection<AlterConfigOp>> big = new java.util.HashMap<>();
      for (String t :
          List.of(baton.topics.triggers(), baton.topics.completions(), baton.topics.commands())) {
        big.put(
            new ConfigResource(ConfigResource.Type.TOPIC, t),
            List.of(
                new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", "8388608"), AlterConfigOp.OpType.SET)));
      }
      admin.incrementalAlterConfigs(big).all().get();
    }
    baton.applyGate();
  }

  @AfterAll
  static void stopBaton() throws Exception {
    baton.close();
  }

  record Bad(String topic, String key, byte[] value, String kind) {}

  @Test
  void everyBadRecordIsDeadLetteredOrCountedAndGoodRunsStillSucceed() throws Exception {
    Random random = new Random(42);
    Path gate = work.resolve("gate-open");
    baton.trigger("bad-held", "gate", Map.of("gate", gate.toString()));
    baton.awaitEvent("bad-held", dev.baton.events.RunEventType.JOB_DISPATCHED, "wait");
    baton.trigger("bad-done", "hello", Map.of());
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("bad-done").status());
    List<byte[]> realCompletions =
        new TopicReaderOnce(baton.bootstrap, baton.topics.completions())
            .values().stream()
                .filter(
                    v -> new String(v, StandardCharsets.UTF_8).contains("\"runId\":\"bad-done\""))
                .filter(
                    v -> !new String(v, StandardCharsets.UTF_8).contains("\"status\":\"STARTED\""))
                .toList();
    assertEquals(1, realCompletions.size());

    List<Bad> bad = new ArrayList<>();
    String t = baton.topics.triggers();
    String c = baton.topics.completions();
    String m = baton.topics.commands();
    for (int i = 0; i < 200; i++) {
      byte[] noise = new byte[1 + random.nextInt(300)];
      random.nextBytes(noise);
      bad.add(new Bad(List.of(t, c, m).get(i % 3), "noise-" + i, noise, "dlq"));
    }
    for (int i = 0; i < 150; i++) {
      String json =
          "{\"runId\":\"trunc-" + i + "\",\"template\":\"hello\",\"params\":{\"name\":\"x\"}}";
      bad.add(
          new Bad(
              i % 2 == 0 ? t : c,
              "trunc-" + i,
              json.substring(0, 1 + random.nextInt(json.length() - 2))
                  .getBytes(StandardCharsets.UTF_8),
              "dlq"));
    }
    for (int i = 0; i < 150; i++) {
      String json =
          switch (i % 3) {
            case 0 -> "{\"template\": 5, \"params\": \"x\"}";
            case 1 ->
                "{\"runId\":\"bad-held\",\"job\":\"wait\",\"attempt\":\"one\",\"status\":\"SUCCEEDED\"}";
            default -> "{\"runId\":\"bad-held\",\"type\":\"EXPLODE\"}";
          };
      bad.add(
          new Bad(
              List.of(t, c, m).get(i % 3),
              "types-" + i,
              json.getBytes(StandardCharsets.UTF_8),
              "dlq"));
    }
    for (int i = 0; i < 100; i++) {
      bad.add(
          new Bad(
              t,
              "notemplate-" + i,
              ("{\"runId\":\"nt-" + i + "\",\"template\":\"no-such-" + i + "\"}")
                  .getBytes(StandardCharsets.UTF_8),
              "dlq"));
    }
    for (int i = 0; i < 50; i++) {
      bad.add(
          new Bad(
              c,
              "norun-" + i,
              ("{\"runId\":\"ghost-"
                      + i
                      + "\",\"job\":\"a\",\"attempt\":1,\"status\":\"SUCCEEDED\",\"token\":\""
                      + AttemptTokens.processDefault().forJob("ghost-" + i + "/a/1")
                      + "\"}")
                  .getBytes(StandardCharsets.UTF_8),
              "dlq"));
    }
    for (int i = 0;
        i < 50;
        i++) { // the held run's running attempt, without its token (forged), or with another
      // attempt's
      String token =
          i % 2 == 0
              ? ""
              : ",\"token\":\""
                  + AttemptTokens.processDefault().forJob("bad-held/wait/" + (2 + i))
                  + "\"";
      bad.add(
          new Bad(
              c,
              "forged-" + i,
              ("{\"runId\":\"bad-held\",\"job\":\"wait\",\"attempt\":1,\"status\":\"SUCCEEDED\""
                      + token
                      + "}")
                  .getBytes(StandardCharsets.UTF_8),
              "dlq"));
    }
    for (int i = 0; i < 100; i++) { // stale: signed, for attempts that never ran
      bad.add(
          new Bad(
              c,
              "bad-held",
              ("{\"runId\":\"bad-held\",\"job\":\"wait\",\"attempt\":"
                      + (2 + i)
                      + ",\"status\":\"SUCCEEDED\",\"token\":\""
                      + AttemptTokens.processDefault().forJob("bad-held/wait/" + (2 + i))
                      + "\"}")
                  .getBytes(StandardCharsets.UTF_8),
              "ignored"));
    }
    for (int i = 0; i < 100; i++) {
      bad.add(
          new Bad(
              c,
              "bad-held",
              ("{\"runId\":\"bad-held\",\"job\":\"after\",\"attempt\":"
                      + (1 + i)
                      + ",\"status\":\"FAILED\",\"token\":\""
                      + AttemptTokens.processDefault().forDispatcher("bad-held/after/" + (1 + i))
                      + "\"}")
                  .getBytes(StandardCharsets.UTF_8),
              "ignored"));
    }
    for (int i = 0; i < 97; i++) {
      bad.add(new Bad(c, "bad-done", realCompletions.get(0), "duplicate"));
    }
    byte[] huge =
        ("{\"runId\":\"huge\",\"template\":\"hello\",\"params\":{\"name\":\""
                + "x".repeat(5 * 1024 * 1024)
                + "\"}}")
            .getBytes(StandardCharsets.UTF_8);
    bad.add(new Bad(t, "huge-trigger", huge, "dlq"));
    bad.add(new Bad(c, "huge-completion", huge, "dlq"));
    bad.add(new Bad(m, "huge-command", huge, "dlq"));
    assertEquals(1000, bad.size());
    java.util.Collections.shuffle(bad, random);

    long ignoredBefore = baton.engine.counters().ignored();
    long duplicatesBefore = baton.engine.counters().duplicates();
    Properties p = new Properties();
    p.put("bootstrap.servers", baton.bootstrap);
    p.put("max.request.size", 8 * 1024 * 1024);
    int good = 0;
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < bad.size(); i++) {
        Bad b = bad.get(i);
        producer.send(new ProducerRecord<>(b.topic(), b.key(), b.value())).get();
        if (i % 50 == 0) {
          baton.trigger("bad-good-" + good, "pipeline", Map.of("source", "good-" + good));
          good++;
        }
      }
    }
    for (int i = 0; i < good; i++) {
      assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("bad-good-" + i).status(), "bad-good-" + i);
    }
    long expectedDlq = bad.stream().filter(b -> b.kind().equals("dlq")).count();
    long expectedIgnored = bad.stream().filter(b -> b.kind().equals("ignored")).count();
    long expectedDuplicates = bad.stream().filter(b -> b.kind().equals("duplicate")).count();
    Set<String> dead = ConcurrentHashMap.newKeySet();
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () -> {
              baton
                  .deadLetters
                  .records()
                  .forEach(
                      r -> {
                        var reason = r.headers().lastHeader(DeadLetters.REASON);
                        var offset = r.headers().lastHeader(DeadLetters.SOURCE_OFFSET);
                        var topic = r.headers().lastHeader(DeadLetters.SOURCE_TOPIC);
                        // Only what came from this test's public topics: other tests publish domain
                        // events that every engine's rules read.
                        if (reason != null
                            && offset != null
                            && topic != null
                            && List.of(t, c, m)
                                .contains(new String(topic.value(), StandardCharsets.UTF_8))) {
                          dead.add(
                              new String(topic.value(), StandardCharsets.UTF_8)
                                  + "@"
                                  + new String(
                                      r.headers().lastHeader(DeadLetters.SOURCE_PARTITION).value(),
                                      StandardCharsets.UTF_8)
                                  + "@"
                                  + new String(offset.value(), StandardCharsets.UTF_8));
                        }
                      });
              return dead.size() >= expectedDlq
                  && baton.engine.counters().ignored() - ignoredBefore >= expectedIgnored
                  && baton.engine.counters().duplicates() - duplicatesBefore >= expectedDuplicates;
            });
    long ignored = baton.engine.counters().ignored() - ignoredBefore;
    long duplicates = baton.engine.counters().duplicates() - duplicatesBefore;
    System.out.printf(
        "bad-input campaign: %d records sent; %d dead-lettered with a reason (expected %d), %d ignored (expected %d), "
            + "%d duplicates (expected %d); %d good runs succeeded%n",
        bad.size(),
        dead.size(),
        expectedDlq,
        ignored,
        expectedIgnored,
        duplicates,
        expectedDuplicates,
        good);
    Set<String> expectedKeys = new java.util.HashSet<>();
    bad.stream().filter(b -> b.kind().equals("dlq")).forEach(b -> expectedKeys.add(b.key()));
    List<String> unexpected =
        baton.deadLetters.records().stream()
            .filter(
                r ->
                    r.headers().lastHeader(DeadLetters.SOURCE_TOPIC) != null
                        && List.of(t, c, m)
                            .contains(
                                new String(
                                    r.headers().lastHeader(DeadLetters.SOURCE_TOPIC).value(),
                                    StandardCharsets.UTF_8)))
            .filter(
                r ->
                    r.key() == null
                        || !expectedKeys.contains(new String(r.key(), StandardCharsets.UTF_8)))
            .map(
                r ->
                    (r.key() == null ? "null" : new String(r.key(), StandardCharsets.UTF_8))
                        + ": "
                        + new String(
                            r.headers().lastHeader(DeadLetters.REASON).value(),
                            StandardCharsets.UTF_8))
            .toList();
    assertEquals(List.of(), unexpected, "dead letters of records that were not bad");
    assertEquals(expectedDlq, dead.size());
    // The engine's count of ignored records also holds what its good runs' reports made it ignore
    // (a report the dispatcher sent again when Kafka was slow to acknowledge it, under load): at
    // least the bad ones. A bad record ignored instead of dead-lettered would be missing above, and
    // one dead-lettered instead of ignored would be among the unexpected dead letters.
    assertTrue(ignored >= expectedIgnored, "ignored " + ignored + ", at least " + expectedIgnored);
    assertEquals(expectedDuplicates, duplicates);
    assertTrue(baton.engine.live() && baton.engine.ready(), "the engine kept running");
    var hugeDead =
        baton.deadLetters.records().stream()
            .filter(
                r ->
                    r.key() != null
                        && new String(r.key(), StandardCharsets.UTF_8).equals("huge-trigger"))
            .findFirst()
            .orElseThrow();
    assertTrue(
        new String(
                hugeDead.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8)
            .contains("larger than the limit"));
    assertEquals(
        Integer.toString(huge.length),
        new String(
            hugeDead.headers().lastHeader(DeadLetters.ORIGINAL_SIZE).value(),
            StandardCharsets.UTF_8));
    assertEquals(
        50,
        baton.deadLetters.records().stream()
            .filter(
                r ->
                    r.key() != null
                        && new String(r.key(), StandardCharsets.UTF_8).startsWith("forged-"))
            .filter(
                r ->
                    new String(
                            r.headers().lastHeader(DeadLetters.REASON).value(),
                            StandardCharsets.UTF_8)
                        .startsWith("refused completion for bad-held/wait/1 has"))
            .count(),
        "every forged completion of the running attempt is refused as such");
    Files.createFile(gate);
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("bad-held").status());
  }

  /**
   * A run id that kcat's default partitioner (CRC32) puts on another of 3 partitions than Java's.
   */
  static String misplacedRunId(String prefix) {
    for (int i = 0; ; i++) {
      String id = prefix + i;
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(id.getBytes(StandardCharsets.UTF_8));
      if (crc.getValue() % 3 != RunIds.partition(id, 3)) {
        return id;
      }
    }
  }

  @Test
  void commandsAndCompletionsSentWithKcatsDefaultPartitionerApplyInTheRunsOwnTask()
      throws Exception {
    baton.apply(
        "many.yaml",
        """
        name: many
        version: 1
        jobs:
          - name: each
            forEach: '%s'
            maxParallel: 4
            command: [sleep, "0.1"]
        """
            .formatted(
                IntStream.range(0, 60)
                    .mapToObj(Integer::toString)
                    .collect(java.util.stream.Collectors.joining(",", "[", "]"))));
    String runId = misplacedRunId("kc-");
    long conflicts = baton.engine.counters().casConflicts();
    baton.trigger(runId, "many", Map.of());
    baton.awaitEvent(runId, dev.baton.events.RunEventType.JOB_DISPATCHED, "each");
    List<String> burst = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      burst.add(runId + "|{\"runId\":\"" + runId + "\",\"type\":\"PAUSE\"}");
      burst.add(runId + "|{\"runId\":\"" + runId + "\",\"type\":\"RESUME\"}");
    }
    baton.kcat(baton.topics.commands(), burst.subList(0, 20));
    baton.kcat(baton.topics.commands(), burst.subList(20, 40));
    var end = baton.awaitEnd(runId);
    assertEquals(RunStatus.SUCCEEDED, end.status(), end.detail());
    assertEquals(60, end.job("each").itemsDone());
    assertEquals(
        conflicts, baton.engine.counters().casConflicts(), "one task applied every record of it");
    assertTrue(baton.engine.counters().rerouted() >= 40, "sent on to the run's partition");

    // A job's own report, sent with kcat as the report script did before murmur2_random.
    Path gate = work.resolve("kcat-gate");
    String held = misplacedRunId("kg-");
    baton.trigger(held, "gate", Map.of("gate", gate.toString()));
    baton.awaitEvent(held, dev.baton.events.RunEventType.JOB_DISPATCHED, "wait");
    baton.kcat(
        baton.topics.completions(),
        List.of(
            held
                + "|{\"runId\":\""
                + held
                + "\",\"job\":\"wait\",\"attempt\":1,\"status\":\"SUCCEEDED\",\"token\":\""
                + AttemptTokens.processDefault().forJob(held + "/wait/1")
                + "\"}"));
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd(held).status());
    Files.createFile(gate);
  }

  @Test
  void oneCorrelationKeyCrowdedWithLargeEventsNeitherStopsTheEngineNorOtherKeys() throws Exception {
    String topic = baton.prefix + ".crowded";
    createTopic(topic, 1);
    baton.apply(
        "crowded.yaml",
        """
        name: crowded
        version: 1
        params: {key: {required: true}}
        jobs:
          - name: take
            wait:
              event:
                topic: %s
                match: "${params.key}"
                key: event.key
                outputs: {payload: event.payload}
                buffer: 1h
          - {name: after, command: ["true"]}
        """
            .formatted(topic));
    awaitReading(topic);
    List<String> large = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      large.add("k|{\"key\":\"k\",\"n\":" + i + ",\"payload\":\"" + "x".repeat(250_000) + "\"}");
    }
    try (KafkaProducer<String, byte[]> producer = bigProducer()) {
      for (String line : large) {
        int bar = line.indexOf('|');
        producer
            .send(
                new ProducerRecord<>(
                    topic,
                    line.substring(0, bar),
                    line.substring(bar + 1).getBytes(StandardCharsets.UTF_8)))
            .get();
      }
      // Another key of the same partition, and a run waiting on it.
      baton.trigger("crowd-other", "crowded", Map.of("key", "other"));
      baton.awaitEvent("crowd-other", dev.baton.events.RunEventType.JOB_WAITING, "take");
      producer
          .send(
              new ProducerRecord<>(
                  topic,
                  "other",
                  "{\"key\":\"other\",\"payload\":\"small\"}".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    var other = baton.awaitEnd("crowd-other");
    assertEquals(RunStatus.SUCCEEDED, other.status(), other.detail());
    assertEquals("small", other.job("take").outputs().get("payload"));
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> reasons(topic).stream().anyMatch(r -> r.contains("is not kept")));
    assertTrue(baton.engine.live() && baton.engine.ready(), "the engine kept running");
    baton.trigger("crowd-k", "crowded", Map.of("key", "k"));
    var k = baton.awaitEnd("crowd-k");
    assertEquals(RunStatus.SUCCEEDED, k.status(), "a kept event is taken: " + k.detail());
  }

  @Test
  void aRuleEventWhoseTriggerWouldBeTooLargeIsDeadLetteredAndTheRulesGoOn() throws Exception {
    String topic = baton.prefix + ".whole";
    createTopic(topic, 1);
    baton.apply(
        "whole.yaml",
        """
        name: whole
        version: 1
        params: {payload: {required: true}}
        on:
          - topic: %s
            params: {payload: "event"}
        jobs:
          - {name: a, command: ["true"]}
        """
            .formatted(topic));
    awaitReading(topic);
    StringBuilder big = new StringBuilder("{\"id\":\"big\"");
    for (int i = 0; i < 9_000; i++) {
      big.append(",\"f").append(i).append("\":\"").append("v".repeat(100)).append('"');
    }
    big.append('}');
    long startedBefore = baton.engine.triggerRules().started.get();
    try (KafkaProducer<String, byte[]> producer = bigProducer()) {
      producer
          .send(new ProducerRecord<>(topic, "big", big.toString().getBytes(StandardCharsets.UTF_8)))
          .get();
      producer
          .send(
              new ProducerRecord<>(
                  topic, "small", "{\"id\":\"small\"}".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () -> reasons(topic).stream().anyMatch(r -> r.contains("a trigger may carry at most")));
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> baton.engine.triggerRules().started.get() >= startedBefore + 1);
    // A router that started over would send the small event's trigger again before a later one's.
    try (KafkaProducer<String, byte[]> producer = bigProducer()) {
      producer
          .send(
              new ProducerRecord<>(
                  topic, "later", "{\"id\":\"later\"}".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> baton.engine.triggerRules().started.get() >= startedBefore + 2);
    assertEquals(startedBefore + 2, baton.engine.triggerRules().started.get(), "each sent once");
    assertEquals(1, reasons(topic).size(), "the big event dead-lettered once: " + reasons(topic));
  }

  @Test
  void theFirstEventOnATopicCreatedAfterItsRuleStartsARun() throws Exception {
    String topic = baton.prefix + ".later";
    baton.apply(
        "later.yaml",
        """
        name: later
        version: 1
        params: {id: {required: true}}
        on:
          - topic: %s
            params: {id: "event.id"}
            idempotencyKey: "event.id"
        jobs:
          - {name: a, command: ["true"]}
        """
            .formatted(topic));
    await() // the router follows the rule's topic before it exists
        .atMost(BatonHarness.DEADLINE)
        .until(() -> baton.engine.triggerRules().follows(topic));
    createTopic(topic, 2);
    try (KafkaProducer<String, byte[]> producer = bigProducer()) {
      producer
          .send(
              new ProducerRecord<>(
                  topic, "first", "{\"id\":\"first\"}".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    String runId = RunIds.forIdempotencyKey("later/" + topic + "/first");
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd(runId).status());
  }

  @Test
  void aWaitFilterOnAFieldTheEventLacksDeadLettersTheEvent() throws Exception {
    String topic = baton.prefix + ".filtered";
    createTopic(topic, 1);
    baton.apply(
        "filtered.yaml",
        """
        name: filtered
        version: 1
        jobs:
          - name: take
            wait:
              event: {topic: %s, match: "k", key: event.key, filter: "event.status == 'OK'"}
        """
            .formatted(topic));
    awaitReading(topic);
    try (KafkaProducer<String, byte[]> producer = bigProducer()) {
      producer
          .send(
              new ProducerRecord<>(topic, "k", "{\"key\":\"k\"}".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(() -> reasons(topic).stream().anyMatch(r -> r.contains("status")));
  }

  @Test
  void forgedEngineCommandsAreRefusedAndAPersonsCommandCannotTakeAnEventsId() throws Exception {
    Path gate = work.resolve("forged-gate");
    baton.trigger("forged-c5", "gate", Map.of("gate", gate.toString()));
    baton.awaitEvent("forged-c5", dev.baton.events.RunEventType.JOB_DISPATCHED, "wait");
    String c = baton.topics.commands();
    // What an attacker with kcat would send: engine-only commands, unsigned.
    baton.send(
        c,
        "forged-c5",
        "{\"runId\":\"forged-c5\",\"type\":\"DELIVER\",\"job\":\"wait\",\"attempt\":1,"
            + "\"eventId\":\"deliver:x\",\"values\":{\"n\":\"FORGED-BY-ATTACKER\"}}");
    baton.send(
        c, "forged-c5", "{\"runId\":\"forged-c5\",\"type\":\"ADMIT\",\"eventId\":\"admit:x\"}");
    baton.send(
        c,
        "forged-c5",
        "{\"runId\":\"forged-c5\",\"type\":\"CACHE_LOOKUP\",\"job\":\"wait\",\"attempt\":1,"
            + "\"eventId\":\"lookup:x\",\"values\":{\"n\":\"1\"}}");
    // A person's command naming the id the job's own completion will have.
    baton.send(
        c,
        "forged-c5",
        "{\"runId\":\"forged-c5\",\"type\":\"PAUSE\",\"eventId\":\"forged-c5/wait/1\"}");
    baton.send(
        c,
        "forged-c5",
        "{\"runId\":\"forged-c5\",\"type\":\"RESUME\",\"eventId\":\"forged-c5/wait/1\"}");
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                baton.deadLetters.records().stream()
                        .map(
                            r ->
                                new String(
                                    r.headers().lastHeader(DeadLetters.REASON).value(),
                                    StandardCharsets.UTF_8))
                        .filter(r -> r.startsWith("refused command "))
                        .filter(r -> r.contains("'forged-c5'"))
                        .count()
                    == 3);
    Files.createFile(gate);
    var end = baton.awaitEnd("forged-c5");
    assertEquals(RunStatus.SUCCEEDED, end.status(), "the job's own completion was applied");
    assertTrue(end.job("wait").outputs().isEmpty(), "no forged outputs");
  }

  static void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", baton.bootstrap))) {
      admin
          .createTopics(
              List.of(new org.apache.kafka.clients.admin.NewTopic(topic, partitions, (short) 1)))
          .all()
          .get();
    }
  }

  /** Waits until the engine's rules read {@code topic}. */
  static void awaitReading(String topic) {
    await().atMost(BatonHarness.DEADLINE).until(() -> baton.engine.triggerRules().reading(topic));
  }

  static KafkaProducer<String, byte[]> bigProducer() {
    Properties p = new Properties();
    p.put("bootstrap.servers", baton.bootstrap);
    p.put("max.request.size", 8 * 1024 * 1024);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** The reasons of the dead letters of records from {@code topic} (or about it). */
  static List<String> reasons(String topic) {
    return baton.deadLetters.records().stream()
        .filter(
            r -> {
              var source = r.headers().lastHeader(DeadLetters.SOURCE_TOPIC);
              String reason =
                  new String(
                      r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
              return source != null
                      && new String(source.value(), StandardCharsets.UTF_8).equals(topic)
                  || reason.contains(topic);
            })
        .map(
            r ->
                new String(
                    r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8))
        .toList();
  }
}
