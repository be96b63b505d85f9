package dev.baton.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A service step's request: its value (the step's {@code service.value}, as JSON), its key, and the
 * coordinates of the attempt it belongs to, read from the record's headers.
 */
public final class ServiceRequest {
  static final String RUN_ID = "baton-run-id";
  static final String JOB = "baton-job";
  static final String ATTEMPT = "baton-attempt";
  static final String ITEM = "baton-item";
  static final String ATTEMPT_ID = "baton-attempt-id";
  static final String TOKEN = "baton-attempt-token";
  static final String REPLY_TOPIC = "baton-reply-topic";
  static final String DEADLINE = "baton-deadline";
  static final String TRACEPARENT = "traceparent";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ConsumerRecord<String, byte[]> record;
  private final JsonNode value;

  private ServiceRequest(ConsumerRecord<String, byte[]> record, JsonNode value) {
    this.record = record;
    this.value = value;
  }

  /**
   * The request {@code record} holds.
   *
   * @throws IllegalArgumentException when it is not a Baton step's request (a header is missing,
   *     the value is not JSON)
   */
  static ServiceRequest of(ConsumerRecord<String, byte[]> record) {
    for (String h : new String[] {RUN_ID, JOB, ATTEMPT, ATTEMPT_ID, TOKEN, REPLY_TOPIC}) {
      if (header(record, h) == null) {
        throw new IllegalArgumentException("no header " + h + ": not a Baton step's request");
      }
    }
    try {
      Integer.parseInt(header(record, ATTEMPT));
      String item = header(record, ITEM);
      if (item != null) {
        Integer.parseInt(item);
      }
      JsonNode value = record.value() == null ? null : JSON.readTree(record.value());
      return new ServiceRequest(record, value);
    } catch (NumberFormatException | IOException e) {
      throw new IllegalArgumentException("not a Baton step's request: " + e.getMessage(), e);
    }
  }

  /** The request's value, as JSON (null when the record has none). */
  public JsonNode value() {
    return value;
  }

  /** The request's key (the step's {@code service.key}), or null. */
  public String key() {
    return record.key();
  }

  public String runId() {
    return header(record, RUN_ID);
  }

  public String job() {
    return header(record, JOB);
  }

  public int attempt() {
    return Integer.parseInt(header(record, ATTEMPT));
  }

  /** The fan-out item's index, or null for a job that does not fan out. */
  public Integer item() {
    String item = header(record, ITEM);
    return item == null ? null : Integer.valueOf(item);
  }

  /** The attempt's id: the same for every delivery of this request. */
  public String attemptId() {
    return header(record, ATTEMPT_ID);
  }

  /** When the attempt times out (a reply after it is not applied), or null when not said. */
  public Instant deadline() {
    String at = header(record, DEADLINE);
    try {
      return at == null ? null : Instant.parse(at);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  String token() {
    return header(record, TOKEN);
  }

  String replyTopic() {
    return header(record, REPLY_TOPIC);
  }

  byte[] traceparent() {
    Header h = record.headers().lastHeader(TRACEPARENT);
    return h == null ? null : h.value();
  }

  ConsumerRecord<String, byte[]> record() {
    return record;
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "ServiceRequest[" + attemptId() + "]";
  }
}
