package dev.baton.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.events.WorkflowTrigger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlainJsonTest {
  static <T extends org.apache.avro.specific.SpecificRecord> T read(String json, Class<T> type) {
    return EventCodec.of(type).decode(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void handWrittenTriggerNeedsOnlyTemplate() {
    WorkflowTrigger t =
        read(
            "{\"template\":\"hello\",\"params\":{\"name\":\"Ada\",\"n\":3}}",
            WorkflowTrigger.class);
    assertEquals("hello", t.getTemplate());
    assertEquals(Map.of("name", "Ada", "n", "3"), t.getParams());
    assertNull(t.getRunId());
    assertNull(t.getOccurredAt());
  }

  @Test
  void timestampsAreIsoStringsOrEpochMillis() {
    assertEquals(
        Instant.parse("2026-01-02T03:04:05Z"),
        read("{\"template\":\"x\",\"occurredAt\":\"2026-01-02T03:04:05Z\"}", WorkflowTrigger.class)
            .getOccurredAt());
    assertEquals(
        Instant.ofEpochMilli(1000),
        read("{\"template\":\"x\",\"occurredAt\":1000}", WorkflowTrigger.class).getOccurredAt());
  }

  @Test
  void writtenJsonIsPlainAndReadsBack() {
    RunEvent e =
        RunEvent.newBuilder()
            .setEventId("r/RUN_STARTED")
            .setRunId("r")
            .setOccurredAt(Instant.ofEpochMilli(5))
            .setType(RunEventType.RUN_STARTED)
            .setJob(null)
            .setAttempt(2)
            .setOutputs(Map.of("k", "v"))
            .build();
    String json = new String(PlainJson.write(e), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"attempt\":2"), json); // not {"int":2}
    assertTrue(json.contains("\"type\":\"RUN_STARTED\""), json);
    assertTrue(json.contains("\"occurredAt\":\"1970-01-01T00:00:00.005Z\""), json);
    assertEquals(e, read(json, RunEvent.class));
  }

  @Test
  void completionEnumAndNullableInt() {
    JobCompletion c =
        read(
            "{\"runId\":\"r\",\"job\":\"j\",\"attempt\":1,\"status\":\"FAILED\",\"exitCode\":3}",
            JobCompletion.class);
    assertEquals(CompletionStatus.FAILED, c.getStatus());
    assertEquals(3, c.getExitCode());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"params\":{}}|missing required field 'template'",
        "{\"template\":\"x\",\"params\":[1]}|field 'params': expected an object",
        "{\"template\":\"x\",\"templateVersion\":\"two\"}|field 'templateVersion': expected an integer",
        "{\"template\":\"x\",\"occurredAt\":\"yesterday\"}|field 'occurredAt': expected an ISO-8601 instant",
        "[1,2]|must be a JSON object",
        "{\"template\":|not valid JSON"
      })
  void malformedJsonSaysWhatIsWrong(String json, String message) {
    EventFormatException e =
        assertThrows(EventFormatException.class, () -> read(json, WorkflowTrigger.class));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void unknownEnumSymbolIsAnError() {
    EventFormatException e =
        assertThrows(
            EventFormatException.class,
            () ->
                read(
                    "{\"runId\":\"r\",\"job\":\"j\",\"attempt\":1,\"status\":\"EXPLODED\"}",
                    JobCompletion.class));
    assertTrue(e.getMessage().contains("field 'status': expected one of"), e.getMessage());
  }

  @Test
  void jsonThatIsNotAnObjectIsCalledWhatItIs() {
    var array = assertThrows(EventFormatException.class, () -> read("[]", WorkflowTrigger.class));
    assertEquals("a WorkflowTrigger must be a JSON object, not an array", array.getMessage());
    var string =
        assertThrows(EventFormatException.class, () -> read(" \"hello\"", WorkflowTrigger.class));
    assertEquals("a WorkflowTrigger must be a JSON object, not a string", string.getMessage());
    var notJson =
        assertThrows(EventFormatException.class, () -> read("hello", WorkflowTrigger.class));
    assertTrue(
        notJson.getMessage().startsWith("neither JSON nor Confluent-framed Avro"),
        notJson.getMessage());
    var event =
        assertThrows(
            EventFormatException.class,
            () -> Wire.json().decodeMap("[1]".getBytes(StandardCharsets.UTF_8)));
    assertEquals("an event must be a JSON object, not an array", event.getMessage());
  }

  @Test
  void malformedUtf8AndTrailingDataAreRefusedNotGuessed() {
    byte[] overlong = {
      '{',
      '"',
      't',
      'e',
      'm',
      'p',
      'l',
      'a',
      't',
      'e',
      '"',
      ':',
      '"',
      'a',
      (byte) 0xC0,
      (byte) 0xAF,
      'b',
      '"',
      '}'
    };
    var e =
        assertThrows(
            EventFormatException.class,
            () -> EventCodec.of(WorkflowTrigger.class).decode(overlong));
    assertEquals("not valid UTF-8: a malformed byte sequence at byte 14", e.getMessage());
    var map = assertThrows(EventFormatException.class, () -> Wire.json().decodeMap(overlong));
    assertTrue(map.getMessage().contains("not valid UTF-8"), map.getMessage());
    byte[] surrogate = {
      '{',
      '"',
      't',
      'e',
      'm',
      'p',
      'l',
      'a',
      't',
      'e',
      '"',
      ':',
      '"',
      (byte) 0xED,
      (byte) 0xA0,
      (byte) 0x80,
      '"',
      '}'
    };
    assertThrows(
        EventFormatException.class, () -> EventCodec.of(WorkflowTrigger.class).decode(surrogate));
    var trailing =
        assertThrows(
            EventFormatException.class,
            () -> read("{\"template\":\"hello\"}x", WorkflowTrigger.class));
    assertTrue(trailing.getMessage().startsWith("not valid JSON"), trailing.getMessage());
    assertThrows(
        EventFormatException.class,
        () -> read("{\"template\":\"hello\"}{}", WorkflowTrigger.class));
    assertEquals("hello", read("{\"template\":\"hello\"}\n", WorkflowTrigger.class).getTemplate());
    assertEquals(
        "h\u00e9llo \u2713",
        read("{\"template\":\"h\u00e9llo \u2713\"}", WorkflowTrigger.class).getTemplate());
  }
}
