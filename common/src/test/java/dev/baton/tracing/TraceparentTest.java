package dev.baton.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TraceparentTest {
  private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void aVersion00HeaderIsReadAndWrittenBackSampled() {
    Traceparent t = Traceparent.parse(VALID);
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", t.traceId());
    assertEquals("00f067aa0ba902b7", t.spanId());
    assertEquals(VALID, t.toString());
    assertEquals(t, Traceparent.parse(VALID.getBytes(StandardCharsets.US_ASCII)));
    assertEquals(t, Traceparent.parse(VALID.replace("-01", "-00")), "flags are not kept");
  }

  @Test
  void whatIsNotAVersion00TraceparentIsIgnored() {
    assertNull(Traceparent.parse((String) null));
    assertNull(Traceparent.parse((byte[]) null));
    assertNull(Traceparent.parse(""));
    assertNull(Traceparent.parse(VALID.toUpperCase(java.util.Locale.ROOT)), "upper-case hex");
    assertNull(Traceparent.parse("ff" + VALID.substring(2)), "version ff");
    assertNull(Traceparent.parse("01" + VALID.substring(2)), "a later version");
    assertNull(Traceparent.parse(VALID + "-extra"), "too long");
    assertNull(Traceparent.parse("00-" + "0".repeat(32) + "-00f067aa0ba902b7-01"), "zero trace");
    assertNull(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-" + "0".repeat(16) + "-01"));
    assertNull(Traceparent.parse(VALID.replace('-', '_')));
    assertNull(Traceparent.parse("x".repeat(100_000).getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void idsDeriveFromTheRunAndDifferByRole() {
    Traceparent run = TraceIds.run("r-1");
    assertEquals(TraceIds.trace("r-1"), run.traceId());
    assertEquals(run, TraceIds.run("r-1"), "the same every time, in every process");
    assertNotEquals(TraceIds.trace("r-1"), TraceIds.trace("r-2"));
    Traceparent dispatch = TraceIds.dispatch("r-1", "r-1/build/1");
    Traceparent attempt = TraceIds.attempt("r-1", "r-1/build/1");
    assertEquals(run.traceId(), attempt.traceId());
    assertNotEquals(dispatch.spanId(), attempt.spanId());
    assertNotEquals(attempt.spanId(), TraceIds.attempt("r-1", "r-1/build/2").spanId());
    assertEquals(attempt, Traceparent.parse(attempt.toString()));
  }
}
