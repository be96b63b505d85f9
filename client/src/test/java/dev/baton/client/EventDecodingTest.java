package dev.baton.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.serde.Wire;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An application that uses the client reads Baton's events without any Avro system property. */
class EventDecodingTest {
  @Test
  void eventsAreReadWithoutTheAvroSystemProperty() {
    assertNull(
        System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES"),
        "this module's tests run as an application would, without the property");
    RunEvent event =
        RunEvent.newBuilder()
            .setEventId("r1/RUN_SUCCEEDED")
            .setRunId("r1")
            .setOccurredAt(Instant.parse("2026-12-06T10:00:00Z"))
            .setType(RunEventType.RUN_SUCCEEDED)
            .setOutputs(Map.of("total", "9"))
            .build();
    Wire wire = Wire.json();
    assertEquals(event, wire.decode(wire.encode("baton.events", event), RunEvent.class));
  }
}
