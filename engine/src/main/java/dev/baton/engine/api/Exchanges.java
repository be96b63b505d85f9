package dev.baton.engine.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.sun.net.httpserver.HttpExchange;
import dev.baton.serde.EventFormatException;
import dev.baton.serde.PlainJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Reading a request and writing an answer: bounded JSON bodies, query strings, JSON replies. */
final class Exchanges {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Exchanges() {}

  /**
   * Most bytes of a request body read: enough to refuse a trigger over its parameter limit with the
   * reason.
   */
  static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

  /** One JSON value, nothing after it, no key twice. */
  static final ObjectReader BODY_READER =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .reader()
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * The request's body as a JSON object: JSON by its Content-Type (when it has one), bounded,
   * whole.
   */
  static JsonNode jsonBody(HttpExchange ex) throws IOException {
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (type != null) {
      requireJson(ex);
    }
    JsonNode node = parse(rawBody(ex, MAX_BODY_BYTES));
    if (!node.isObject()) {
      throw new ApiException(
          400,
          "the body must be a JSON object, not "
              + node.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    return node;
  }

  /** 415 unless the request says its body is JSON. */
  static void requireJson(HttpExchange ex) {
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    String mediaType = type == null ? "" : type.split(";")[0].strip().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
      throw new ApiException(
          415,
          "the body must be JSON (Content-Type: application/json), not "
              + (type == null ? "without a Content-Type" : type));
    }
  }

  /** One JSON value from a body: UTF-8, whole, no key twice (400 otherwise). */
  static JsonNode parse(byte[] body) {
    JsonNode node;
    try {
      PlainJson.requireUtf8(body);
      node = BODY_READER.readTree(body);
    } catch (EventFormatException e) {
      throw new ApiException(400, "the body is " + e.getMessage());
    } catch (JsonProcessingException e) {
      throw new ApiException(400, "the body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ApiException(400, "the body cannot be read: " + e.getMessage());
    }
    if (node == null || node.isMissingNode()) {
      throw new ApiException(400, "the body is empty; send JSON");
    }
    return node;
  }

  /** The request's body, at most {@code max} bytes (413 past that). */
  static byte[] rawBody(HttpExchange ex, int max) {
    long declared = declaredLength(ex);
    if (declared > MAX_DISCARD_BYTES) {
      // Not worth reading to its end: answered at once, and the connection closed after.
      ex.getResponseHeaders().set("Connection", "close");
      throw new ApiException(
          413, "the request body is to be " + declared + " bytes; at most " + max + " are read");
    }
    byte[] body;
    try {
      body = ex.getRequestBody().readNBytes(max + 1);
    } catch (IOException e) {
      throw new ApiException(
          400, "the request body ended before its declared length: " + e.getMessage());
    }
    if (body.length > max) {
      discardRest(ex);
      throw new ApiException(413, "the request body is larger than " + max + " bytes");
    }
    return body;
  }

  /** The body's declared length; -1 when it declares none (or nonsense, which the JDK refuses). */
  private static long declaredLength(HttpExchange ex) {
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    try {
      return length == null ? -1 : Long.parseLong(length.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Most bytes of an oversized body read and thrown away so that its sender gets the answer. */
  private static final long MAX_DISCARD_BYTES = 64L * 1024 * 1024;

  /**
   * Reads and drops what is left of an oversized body, up to {@link #MAX_DISCARD_BYTES}. Closing a
   * connection with unread bytes resets it, and the sender then loses the 413 that says why.
   */
  private static void discardRest(HttpExchange ex) {
    byte[] buffer = new byte[64 * 1024];
    long left = MAX_DISCARD_BYTES;
    try {
      int n;
      while (left > 0
          && (n = ex.getRequestBody().read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
        left -= n;
      }
    } catch (IOException e) {
      // the sender stopped; the answer goes out as far as it can
    }
  }

  static void trySend(HttpExchange ex, int status, String message) {
    try {
      send(ex, status, Map.of("error", message));
    } catch (IOException e) {
      // the client went away
    }
  }

  static Map<String, String> query(HttpExchange ex) {
    Map<String, String> q = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          q.put(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return q;
  }

  static void send(HttpExchange ex, int status, Object body) throws IOException {
    sendRaw(ex, status, "application/json", JSON.writeValueAsBytes(body));
  }

  static void sendRaw(HttpExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }
}
