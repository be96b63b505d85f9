package dev.baton.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Webhook deliveries as a sender makes them: signed bodies POSTed to the API. */
final class Hooks {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private Hooks() {}

  /** GitHub's signature of {@code body}: {@code sha256=<hex of HMAC-SHA256>}. */
  static String sign(String secret, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  /** POSTs {@code body} as JSON (unless the headers give another Content-Type). */
  static HttpResponse<String> post(int port, String path, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hooks/" + path))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (!headers.containsKey("Content-Type")) {
      r.header("Content-Type", "application/json");
    }
    headers.forEach(r::header);
    return CLIENT.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A string field of a JSON answer. */
  static String field(String json, String name) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).path(name).asText();
  }

  /** How many records {@code topic} holds (its end offsets' sum). */
  static long records(String bootstrap, String topic) {
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            Map.of("bootstrap.servers", bootstrap),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
