package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.WorkflowTrigger;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.Wire;
import dev.baton.serde.registry.ConfluentSchemaRegistry;
import dev.baton.serde.registry.RegistryException;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Avro in the Confluent wire format on every topic, against a real schema registry and a real
 * broker.
 */
class AvroIT {
  static BatonHarness baton;
  static ConfluentSchemaRegistry registry;
  @TempDir static Path work;

  @BeforeAll
  static void startBaton() throws Exception {
    registry = new ConfluentSchemaRegistry(TestRegistry.confluentApiUrl());
    registry.setCompatibility("BACKWARD");
    baton = new BatonHarness("avro", work, Path.of("../templates"), 4, null, Wire.avro(registry));
  }

  @AfterAll
  static void stopBaton() throws Exception {
    baton.close();
  }

  /** A plain Kafka producer whose value serializer is Baton's Avro wire. */
  static KafkaProducer<String, WorkflowTrigger> avroProducer() {
    Properties p = new Properties();
    p.put("bootstrap.servers", baton.bootstrap);
    Wire wire = Wire.avro(new ConfluentSchemaRegistry(TestRegistry.confluentApiUrl()));
    Serializer<WorkflowTrigger> serializer = (topic, trigger) -> wire.encode(topic, trigger);
    return new KafkaProducer<>(p, new StringSerializer(), serializer);
  }

  @Test
  void pipelineRunsWithAvroOnEveryTopicAndJsonTriggersStillWork() throws Exception {
    try (KafkaProducer<String, WorkflowTrigger> producer = avroProducer()) {
      WorkflowTrigger trigger =
          WorkflowTrigger.newBuilder()
              .setRunId("avro-1")
              .setTemplate("pipeline")
              .setParams(Map.of("source", "orders.avro"))
              .build();
      producer.send(new ProducerRecord<>(baton.topics.triggers(), "avro-1", trigger)).get();
    }
    baton.send(
        baton.topics.triggers(),
        "json-1",
        "{\"runId\":\"json-1\",\"template\":\"pipeline\",\"params\":{\"source\":\"orders.json\"}}");
    RunState avro = baton.awaitEnd("avro-1");
    RunState json = baton.awaitEnd("json-1");
    assertEquals(RunStatus.SUCCEEDED, avro.status(), avro.detail());
    assertEquals("loaded 42 rows from orders.avro", avro.job("load").outputs().get("summary"));
    assertEquals(RunStatus.SUCCEEDED, json.status(), json.detail());
    // What the engine and the dispatcher wrote is Avro: events, dispatches, completions.
    baton.awaitEvent("avro-1", dev.baton.events.RunEventType.RUN_SUCCEEDED, null);
    assertTrue(
        baton.events.records().stream().allMatch(r -> r.value()[0] == 0),
        "every run event is Confluent-framed Avro");
    for (String topic : new String[] {baton.topics.dispatch(), baton.topics.completions()}) {
      assertTrue(
          new TopicReaderOnce(baton.bootstrap, topic).values().stream().allMatch(v -> v[0] == 0),
          topic + " is Avro");
    }
  }

  @Test
  void dispatchBytesDecodeWithPlainAvroAndTheSchemaTheRegistryReturns() throws Exception {
    baton.trigger("avro-plain", "hello", Map.of("name", "Avro"));
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("avro-plain").status());
    byte[] bytes =
        new TopicReaderOnce(baton.bootstrap, baton.topics.dispatch())
            .values().stream()
                .filter(v -> new String(v, StandardCharsets.ISO_8859_1).contains("avro-plain"))
                .findFirst()
                .orElseThrow();
    assertEquals(0, bytes[0]);
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(TestRegistry.confluentApiUrl() + "/schemas/ids/" + id))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Schema schema =
        new Schema.Parser()
            .parse(
                new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(body)
                    .get("schema")
                    .asText());
    GenericRecord dispatch =
        new GenericDatumReader<GenericRecord>(schema)
            .read(
                null,
                DecoderFactory.get()
                    .binaryDecoder(Arrays.copyOfRange(bytes, 5, bytes.length), null));
    assertEquals("avro-plain", dispatch.get("runId").toString());
    assertEquals("greet", dispatch.get("job").toString());
    assertEquals("[echo, Hello, Avro!]", dispatch.get("command").toString());
  }

  static byte[] framed(Schema schema, GenericRecord record, String subject) throws Exception {
    int id = registry.register(subject, schema);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    var encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  static void sendRaw(String key, byte[] value) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", baton.bootstrap);
    try (var producer =
        new KafkaProducer<String, byte[]>(
            p,
            new StringSerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(baton.topics.triggers(), key, value)).get();
    }
  }

  @Test
  void triggerFromANewerWriterSchemaIsReadByTheEngine() throws Exception {
    Schema newer =
        new Schema.Parser()
            .parse(
                WorkflowTrigger.getClassSchema()
                    .toString()
                    .replace(
                        "\"fields\":[",
                        "\"fields\":[{\"name\":\"lane\",\"type\":\"string\",\"default\":\"normal\"},"));
    GenericRecord trigger = new GenericData.Record(newer);
    trigger.put("lane", "fast"); // a field this engine does not know
    trigger.put("runId", "avro-newer");
    trigger.put("template", "hello");
    trigger.put("params", Map.of("name", "Newer"));
    trigger.put("eventId", null);
    trigger.put("occurredAt", null);
    trigger.put("templateVersion", null);
    trigger.put("idempotencyKey", null);
    sendRaw("avro-newer", framed(newer, trigger, baton.topics.triggers() + "-value"));
    RunState run = baton.awaitEnd("avro-newer");
    assertEquals(RunStatus.SUCCEEDED, run.status());
    assertEquals("Newer", run.params().get("name"));
  }

  @Test
  void triggerFromAnOlderWriterSchemaGetsTheDefaults() throws Exception {
    Schema older =
        new Schema.Parser()
            .parse(
                """
        {"type": "record", "name": "WorkflowTrigger", "namespace": "dev.baton.events", "fields": [
          {"name": "runId", "type": ["null", "string"], "default": null},
          {"name": "template", "type": "string"},
          {"name": "params", "type": {"type": "map", "values": "string"}, "default": {}}]}
        """);
    GenericRecord trigger = new GenericData.Record(older);
    trigger.put("runId", "avro-older");
    trigger.put("template", "hello");
    trigger.put("params", Map.of());
    sendRaw("avro-older", framed(older, trigger, "avro.older-trigger-value"));
    RunState run = baton.awaitEnd("avro-older");
    assertEquals(RunStatus.SUCCEEDED, run.status());
    assertEquals("World", run.params().get("name"), "the template's default");
  }

  @Test
  void unknownSchemaIdGoesToTheDeadLetterTopicWithTheReason() throws Exception {
    sendRaw("avro-unknown-id", new byte[] {0, 0, 0, 0x7f, 0x7f, 2, 4});
    await()
        .atMost(BatonHarness.DEADLINE)
        .until(
            () ->
                baton.deadLetters.records().stream()
                    .anyMatch(
                        r ->
                            r.key() != null
                                && new String(r.key(), StandardCharsets.UTF_8)
                                    .equals("avro-unknown-id")));
    ConsumerRecord<byte[], byte[]> dead =
        baton.deadLetters.records().stream()
            .filter(
                r ->
                    r.key() != null
                        && new String(r.key(), StandardCharsets.UTF_8).equals("avro-unknown-id"))
            .findFirst()
            .orElseThrow();
    String reason =
        new String(dead.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
    assertTrue(
        reason.contains(
            "schema id 32639 is not in the registry at " + TestRegistry.confluentApiUrl()),
        reason);
  }

  @Test
  void unreachableRegistryIsNamedInTheError() throws Exception {
    int port = dev.baton.cli.dev.DevFiles.freePort();
    String dead = "http://127.0.0.1:" + port + "/apis/ccompat/v6";
    Wire wire = Wire.avro(new ConfluentSchemaRegistry(dead));
    WorkflowTrigger trigger = WorkflowTrigger.newBuilder().setTemplate("hello").build();
    RegistryException e =
        assertThrows(RegistryException.class, () -> wire.encode("avro.triggers", trigger));
    assertTrue(
        e.getMessage().contains("schema registry at " + dead + " is unreachable"), e.getMessage());
    assertTrue(e.getMessage().contains("subject 'avro.triggers-value'"), e.getMessage());
    byte[] avro = Wire.avro(registry).encode("avro.triggers", trigger);
    RegistryException read =
        assertThrows(RegistryException.class, () -> wire.decode(avro, WorkflowTrigger.class));
    assertTrue(read.getMessage().contains(dead), read.getMessage());
  }

  @Test
  void incompatibleSchemaIsRefusedAndTheRefusalReported() {
    String subject = "avro.incompatible-value";
    registry.register(subject, WorkflowTrigger.getClassSchema());
    Schema incompatible =
        new Schema.Parser()
            .parse(
                WorkflowTrigger.getClassSchema()
                    .toString()
                    .replace(
                        "\"fields\":[",
                        "\"fields\":[{\"name\":\"mandatory\",\"type\":\"string\"},"));
    RegistryException e =
        assertThrows(RegistryException.class, () -> registry.register(subject, incompatible));
    assertEquals(409, e.status(), e.getMessage());
    assertTrue(
        e.getMessage().contains("refused to register a schema under subject '" + subject + "'"),
        e.getMessage());
    assertFalse(
        e.getMessage().endsWith("HTTP 409 "),
        "the registry's own message is kept: " + e.getMessage());
  }
}
