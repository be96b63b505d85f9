package dev.baton.tracing;

import dev.baton.settings.Settings;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a service sends its spans, from the standard OpenTelemetry variables: {@code
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} (used as it is), else {@code OTEL_EXPORTER_OTLP_ENDPOINT}
 * with {@code /v1/traces}; {@code OTEL_EXPORTER_OTLP_HEADERS} ({@code k=v,k2=v2}); {@code
 * OTEL_SERVICE_NAME}. Off (null) when no endpoint is set, when {@code OTEL_SDK_DISABLED=true} or
 * {@code OTEL_TRACES_EXPORTER=none}. Spans go as OTLP protobuf over HTTP ({@code
 * OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf}, the only protocol taken).
 */
public record TraceExport(URI endpoint, Map<String, String> headers, String service) {
  public TraceExport {
    headers = Map.copyOf(headers);
  }

  /** The settings' export for a service called {@code defaultService}, or null when off. */
  public static TraceExport from(Settings s, String defaultService) {
    if ("true".equalsIgnoreCase(s.get("OTEL_SDK_DISABLED", "false"))
        || "none".equalsIgnoreCase(s.get("OTEL_TRACES_EXPORTER", "otlp"))) {
      return null;
    }
    String exporter = s.get("OTEL_TRACES_EXPORTER", "otlp");
    if (!exporter.equals("otlp")) {
      throw s.error("OTEL_TRACES_EXPORTER", "must be otlp or none, got '" + exporter + "'");
    }
    String key = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    String endpoint = blank(s.get(key));
    if (endpoint == null) {
      key = "OTEL_EXPORTER_OTLP_ENDPOINT";
      String base = blank(s.get(key));
      if (base == null) {
        return null;
      }
      endpoint = (base.endsWith("/") ? base : base + "/") + "v1/traces";
    }
    for (String k :
        new String[] {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"}) {
      String protocol = s.get(k, "http/protobuf");
      if (!protocol.equals("http/protobuf")) {
        throw s.error(k, "Baton sends spans as http/protobuf only, got '" + protocol + "'");
      }
    }
    URI uri = url(s, key, endpoint);
    if (key.equals("OTEL_EXPORTER_OTLP_ENDPOINT")) {
      url(s, key, s.get(key).strip()); // as it was set, before /v1/traces was added
    }
    return new TraceExport(
        uri, headers(s, "OTEL_EXPORTER_OTLP_HEADERS"), s.get("OTEL_SERVICE_NAME", defaultService));
  }

  private static URI url(Settings s, String key, String text) {
    URI uri;
    try {
      uri = URI.create(text);
    } catch (IllegalArgumentException e) {
      throw s.error(key, "is not a URL: " + e.getMessage());
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
        || uri.getHost() == null
        || uri.getPort() > 65535) {
      throw s.error(key, "must be an http:// or https:// URL with a host, got '" + text + "'");
    }
    return uri;
  }

  private static Map<String, String> headers(Settings s, String key) {
    Map<String, String> out = new LinkedHashMap<>();
    String text = blank(s.get(key));
    if (text == null) {
      return out;
    }
    for (String pair : text.split(",")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw s.error(key, "must be name=value pairs separated by commas");
      }
      out.put(
          URLDecoder.decode(pair.substring(0, eq).strip(), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1).strip(), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static String blank(String v) {
    return v == null || v.isBlank() ? null : v.strip();
  }

  /** Headers may hold credentials: their names only. */
  @Override
  public String toString() {
    return "TraceExport[endpoint="
        + endpoint
        + ", headers="
        + headers.keySet()
        + ", service="
        + service
        + "]";
  }
}
