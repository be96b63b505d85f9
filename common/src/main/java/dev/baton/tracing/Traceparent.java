package dev.baton.tracing;

import java.nio.charset.StandardCharsets;

/**
 * A W3C trace context ({@code traceparent}, version 00): the trace and the span a record or a job
 * continues. Baton carries it in the {@value #HEADER} header of its Kafka records and in the
 * {@value #VARIABLE} variable of a job's environment.
 */
public record Traceparent(String traceId, String spanId) {
  public static final String HEADER = "traceparent";
  public static final String VARIABLE = "TRACEPARENT";
  private static final int LENGTH = 55;

  public Traceparent {
    if (!hex(traceId, 32) || !hex(spanId, 16)) {
      throw new IllegalArgumentException("not a trace and span id: " + traceId + " " + spanId);
    }
  }

  /**
   * The context {@code value} names, or null when it is not a version 00 {@code traceparent} (a
   * missing, malformed, oversized or all-zero one is ignored, as the W3C recommendation says).
   */
  public static Traceparent parse(String value) {
    if (value == null || value.length() != LENGTH) {
      return null;
    }
    String[] parts = value.split("-", -1);
    if (parts.length != 4
        || !parts[0].equals("00")
        || !hex(parts[1], 32)
        || !hex(parts[2], 16)
        || !hex(parts[3], 2)) {
      return null;
    }
    return new Traceparent(parts[1], parts[2]);
  }

  /** The context in a header's bytes, or null. */
  public static Traceparent parse(byte[] header) {
    return header == null || header.length != LENGTH
        ? null
        : parse(new String(header, StandardCharsets.US_ASCII));
  }

  /** The header's text: always sampled (Baton traces every run it is asked to trace). */
  @Override
  public String toString() {
    return "00-" + traceId + "-" + spanId + "-01";
  }

  public byte[] bytes() {
    return toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static boolean hex(String s, int length) {
    if (s == null || s.length() != length) {
      return false;
    }
    boolean nonZero = false;
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
        return false;
      }
      nonZero |= c != '0';
    }
    return nonZero || length == 2;
  }
}
