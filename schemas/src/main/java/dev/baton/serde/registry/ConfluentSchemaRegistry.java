package dev.baton.serde.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;

/**
 * A small client of the Confluent Schema Registry REST API: register a schema under a subject
 * ({@code POST /subjects/{subject}/versions}) and fetch one by id ({@code GET /schemas/ids/{id}}),
 * both cached. Basic auth from the URL's user info or {@code userInfo}; TLS through the JVM's trust
 * store ({@code javax.net.ssl.*}); timeouts; 5xx and I/O errors retried. Works against any registry
 * speaking this API (Confluent, Apicurio's {@code /apis/ccompat/v6}, Redpanda, Karapace).
 */
public final class ConfluentSchemaRegistry implements SchemaRegistry {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ATTEMPTS = 3;

  private final String url;
  private final String authorization;
  private final HttpClient http;
  private final Duration timeout;
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();

  public ConfluentSchemaRegistry(String url, String userInfo, Duration timeout) {
    URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    String credentials = userInfo != null ? userInfo : uri.getUserInfo();
    this.url =
        uri.getUserInfo() == null
            ? uri.toString()
            : uri.toString().replace(uri.getUserInfo() + "@", "");
    this.authorization =
        credentials == null
            ? null
            : "Basic "
                + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public ConfluentSchemaRegistry(String url) {
    this(url, null, Duration.ofSeconds(10));
  }

  @Override
  public String url() {
    return url;
  }

  @Override
  public int register(String subject, Schema schema) {
    String key = subject + "\n" + schema.toString();
    Integer cached = ids.get(key);
    if (cached != null) {
      return cached;
    }
    String body;
    try {
      body = JSON.writeValueAsString(Map.of("schema", schema.toString()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String path = "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions";
    JsonNode answer;
    try {
      answer =
          call(
              HttpRequest.newBuilder(URI.create(url + path))
                  .POST(HttpRequest.BodyPublishers.ofString(body)),
              "register a schema under subject '" + subject + "'");
    } catch (RegistryException e) {
      if (e.status() != 409) {
        throw e;
      }
      // Two writers created the subject at the same moment (some registries answer the loser 409):
      // the subject exists now, and registering the same schema again gives its id.
      answer =
          call(
              HttpRequest.newBuilder(URI.create(url + path))
                  .POST(HttpRequest.BodyPublishers.ofString(body)),
              "register a schema under subject '" + subject + "'");
    }
    int id = answer.path("id").asInt(-1);
    if (id < 0) {
      throw new RegistryException(
          "schema registry at "
              + url
              + " answered without an id for subject '"
              + subject
              + "': "
              + answer,
          200,
          null);
    }
    ids.put(key, id);
    schemas.putIfAbsent(id, schema);
    return id;
  }

  @Override
  public Schema byId(int id) {
    Schema cached = schemas.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode answer =
        call(
            HttpRequest.newBuilder(URI.create(url + "/schemas/ids/" + id)).GET(),
            "fetch schema id " + id);
    Schema schema = new Schema.Parser().parse(answer.path("schema").asText());
    schemas.put(id, schema);
    return schema;
  }

  /** Sets the registry's default compatibility level (BACKWARD is Confluent's default). */
  public void setCompatibility(String level) {
    try {
      String body = JSON.writeValueAsString(Map.of("compatibility", level));
      call(
          HttpRequest.newBuilder(URI.create(url + "/config"))
              .PUT(HttpRequest.BodyPublishers.ofString(body)),
          "set compatibility " + level);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode call(HttpRequest.Builder request, String what) {
    request.timeout(timeout).header("Content-Type", CONTENT_TYPE).header("Accept", CONTENT_TYPE);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    RegistryException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        HttpResponse<String> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status / 100 == 2) {
          return JSON.readTree(response.body());
        }
        last =
            new RegistryException(
                "schema registry at "
                    + url
                    + " refused to "
                    + what
                    + ": HTTP "
                    + status
                    + " "
                    + message(response.body()),
                status,
                null);
        if (status < 500) {
          throw last;
        }
      } catch (IOException e) {
        last =
            new RegistryException(
                "schema registry at "
                    + url
                    + " is unreachable ("
                    + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "); could not "
                    + what,
                0,
                e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryException(
            "interrupted while asking the schema registry at " + url + " to " + what, 0, e);
      }
      pause(attempt);
    }
    throw last;
  }

  private static String message(String body) {
    try {
      JsonNode node = JSON.readTree(body);
      return node.has("message") ? node.get("message").asText() : body;
    } catch (IOException e) {
      return body;
    }
  }

  private static void pause(int attempt) {
    try {
      TimeUnit.MILLISECONDS.sleep(100L * attempt * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
