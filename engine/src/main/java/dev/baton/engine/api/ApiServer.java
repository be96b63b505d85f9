package dev.baton.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.engine.state.StateJson;
import dev.baton.engine.template.ParamSpec;
import dev.baton.engine.template.Template;
import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.events.WorkflowTrigger;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The REST API of the engine process: runs and templates as JSON (run state from Redis, templates
 * from the engine's store), a run's lifecycle as Server-Sent Events, and starting, cancelling and
 * retrying runs by publishing to Kafka; plus {@code /healthz} and {@code /readyz}. The JDK's HTTP
 * server: the API is a handful of routes, and it keeps the engine free of a web framework.
 * Binds to 127.0.0.1 unless told otherwise (there is no login yet).
 */
public final class ApiServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Sources sources;
  private final EngineConfig config;
  private final HttpServer server;
  private final KafkaProducer<String, byte[]> producer;
  /** Most live event streams open at once. */
  static final int MAX_STREAMS = 200;
  private final RunEventFeed events;
  private final java.util.concurrent.ThreadPoolExecutor streamWriters = new java.util.concurrent.ThreadPoolExecutor(0, MAX_STREAMS,
      60, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "baton-api-stream");
        t.setDaemon(true);
        return t;
      });

  /** What the API reads: runs, the latest templates, the engine's health and meters. */
  public record Sources(dev.baton.engine.state.RunRepository runs, java.util.function.Supplier<List<Template>> templates,
      java.util.function.BooleanSupplier live, java.util.function.BooleanSupplier ready,
      io.micrometer.core.instrument.MeterRegistry metrics) {}

  public ApiServer(Sources sources, EngineConfig config, String host, int port) throws IOException {
    this(sources, config, host, port, null);
  }

  /**
   * {@code token}: when set, every {@code /api/} and {@code /metrics} request must carry it
   * ({@code Authorization: Bearer <token>}, or the {@code baton_token} cookie the web UI sets);
   * others get 401. Bound to anything but the loopback interface, the API needs one.
   */
  public ApiServer(Sources sources, EngineConfig config, String host, int port, String token) throws IOException {
    if ((token == null || token.isBlank()) && !java.net.InetAddress.getByName(host).isLoopbackAddress()) {
      throw new IllegalArgumentException("the API on " + host + " would be open to the network: set BATON_HTTP_TOKEN_FILE to a file"
          + " holding a bearer token, or keep BATON_HTTP_HOST on 127.0.0.1");
    }
    this.token = token == null || token.isBlank() ? null : token.strip().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    this.sources = sources;
    this.config = config;
    Properties p = new Properties();
    p.put("bootstrap.servers", config.bootstrapServers());
    p.put("acks", "all");
    p.put("max.block.ms", 10_000);
    p.putAll(config.kafka());
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.events = new RunEventFeed(config);
    this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.setExecutor(Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "baton-api");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/api/", this::api);
    server.createContext("/", ex -> {
      if (!ex.getRequestURI().getPath().equals("/")) {
        send(ex, 404, Map.of("error", "no page " + ex.getRequestURI().getPath()));
        return;
      }
      if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        send(ex, 405, Map.of("error", "method " + ex.getRequestMethod() + " is not allowed on /; allowed: GET"));
        return;
      }
      try (InputStream in = ApiServer.class.getResourceAsStream("/ui/index.html")) {
        sendRaw(ex, 200, "text/html; charset=utf-8", in.readAllBytes());
      }
    });
    server.createContext("/healthz", ex -> send(ex, sources.live().getAsBoolean() ? 200 : 503, Map.of("live", sources.live().getAsBoolean())));
    server.createContext("/readyz", ex -> send(ex, sources.ready().getAsBoolean() ? 200 : 503, Map.of("ready", sources.ready().getAsBoolean())));
    if (sources.metrics() instanceof io.micrometer.prometheusmetrics.PrometheusMeterRegistry prometheus) {
      server.createContext("/metrics", ex -> {
        if (authorized(ex)) {
          sendRaw(ex, 200, dev.baton.metrics.Metrics.CONTENT_TYPE, prometheus.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      });
    }
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** An error the caller made (4xx) or the engine cannot help (503), with its message. */
  static final class ApiException extends RuntimeException {
    final int status;

    ApiException(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private final byte[] token;

  /** True when no token is set or the request carries it; otherwise answers 401. */
  private boolean authorized(HttpExchange ex) throws IOException {
    if (token == null) {
      return true;
    }
    String given = null;
    String header = ex.getRequestHeaders().getFirst("Authorization");
    if (header != null && header.startsWith("Bearer ")) {
      given = header.substring("Bearer ".length()).strip();
    }
    String cookies = ex.getRequestHeaders().getFirst("Cookie");
    if (given == null && cookies != null) {
      for (String c : cookies.split(";")) {
        if (c.strip().startsWith("baton_token=")) {
          given = java.net.URLDecoder.decode(c.strip().substring("baton_token=".length()), java.nio.charset.StandardCharsets.UTF_8);
        }
      }
    }
    if (given != null && java.security.MessageDigest.isEqual(token, given.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
      return true;
    }
    ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"baton\"");
    send(ex, 401, Map.of("error", "a bearer token is required (Authorization: Bearer <token>)"));
    return false;
  }

  private void api(HttpExchange ex) throws IOException {
    if (!authorized(ex)) {
      return;
    }
    try {
      route(ex, ex.getRequestMethod(), ex.getRequestURI().getPath().replaceAll("/+$", ""));
    } catch (ApiException e) {
      send(ex, e.status, Map.of("error", e.getMessage()));
    } catch (org.redisson.client.RedisException | org.apache.kafka.common.KafkaException | java.util.concurrent.ExecutionException e) {
      send(ex, 503, Map.of("error", "Kafka or Redis is unavailable: " + e.getMessage()));
    } catch (RuntimeException e) {
      send(ex, 500, Map.of("error", String.valueOf(e.getMessage())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      send(ex, 503, Map.of("error", "interrupted"));
    }
  }

  /** The routes: a path pattern ({@code *} one segment) and the methods it answers. */
  private static final Map<String, List<String>> ROUTES = routes();

  private static Map<String, List<String>> routes() {
    Map<String, List<String>> r = new LinkedHashMap<>();
    r.put("/api/openapi.json", List.of("GET"));
    r.put("/api/runs", List.of("GET", "POST"));
    r.put("/api/runs/*", List.of("GET"));
    r.put("/api/runs/*/events", List.of("GET"));
    r.put("/api/runs/*/cancel", List.of("POST"));
    r.put("/api/runs/*/retry", List.of("POST"));
    r.put("/api/templates", List.of("GET"));
    r.put("/api/templates/*", List.of("GET"));
    return r;
  }

  /** The route pattern {@code path} matches, or a 404 naming the path. */
  private static String routeOf(String path) {
    String[] parts = path.split("/", -1);
    for (String pattern : ROUTES.keySet()) {
      String[] want = pattern.split("/", -1);
      if (want.length != parts.length) {
        continue;
      }
      boolean match = true;
      for (int i = 0; i < want.length && match; i++) {
        match = want[i].equals("*") ? !parts[i].isEmpty() : want[i].equals(parts[i]);
      }
      if (match) {
        return pattern;
      }
    }
    throw new ApiException(404, "no route " + (path.isEmpty() ? "/" : path) + "; the routes are in /api/openapi.json");
  }

  private void route(HttpExchange ex, String method, String path) throws IOException, java.util.concurrent.ExecutionException, InterruptedException {
    String route = routeOf(path);
    List<String> allowed = ROUTES.get(route);
    if (!allowed.contains(method)) {
      ex.getResponseHeaders().set("Allow", String.join(", ", allowed));
      throw new ApiException(405, "method " + method + " is not allowed on " + path + "; allowed: " + String.join(", ", allowed));
    }
    String[] parts = path.substring("/api/".length()).split("/");
    switch (method + " " + route) {
      case "GET /api/openapi.json" -> {
        try (InputStream in = ApiServer.class.getResourceAsStream("/api/openapi.json")) {
          sendRaw(ex, 200, "application/json", in.readAllBytes());
        }
      }
      case "GET /api/runs" -> send(ex, 200, listRuns(query(ex)));
      case "POST /api/runs" -> send(ex, 201, Map.of("runId", startRun(jsonBody(ex))));
      case "GET /api/runs/*" -> sendRaw(ex, 200, "application/json", StateJson.write(run(parts[1])).getBytes(StandardCharsets.UTF_8));
      case "GET /api/runs/*/events" -> streamEvents(ex, parts[1]);
      case "POST /api/runs/*/cancel", "POST /api/runs/*/retry" -> {
        RunCommandType type = parts[2].equals("cancel") ? RunCommandType.CANCEL : RunCommandType.RETRY;
        refuseCommandThatWouldNotApply(run(parts[1]), type);
        command(parts[1], type);
        send(ex, 202, Map.of("runId", parts[1], "requested", parts[2]));
      }
      case "GET /api/templates" -> {
        List<Map<String, Object>> out = new ArrayList<>();
        sources.templates().get().stream().sorted(java.util.Comparator.comparing(Template::name))
            .forEach(t -> out.add(Map.of("name", t.name(), "version", t.version(), "description", t.description())));
        send(ex, 200, out);
      }
      case "GET /api/templates/*" -> send(ex, 200, TemplateView.of(template(parts[1])));
      default -> throw new IllegalStateException("route " + method + " " + route + " has no handler");
    }
  }

  /** A cancel of a run that has ended, or a retry of one that did not fail, would be refused by the engine: say so now. */
  private static void refuseCommandThatWouldNotApply(RunState run, RunCommandType type) {
    boolean ended = run.status() == RunStatus.SUCCEEDED || run.status() == RunStatus.FAILED || run.status() == RunStatus.CANCELLED;
    if (type == RunCommandType.CANCEL && ended) {
      throw new ApiException(409, "run '" + run.runId() + "' has already ended " + run.status() + "; there is nothing to cancel");
    }
    if (type == RunCommandType.RETRY && run.status() != RunStatus.FAILED) {
      throw new ApiException(409, "only a FAILED run can be retried; run '" + run.runId() + "' is " + run.status());
    }
  }

  private Template template(String name) {
    return sources.templates().get().stream().filter(t -> t.name().equals(name)).findFirst()
        .orElseThrow(() -> new ApiException(404, "no template '" + name + "'"));
  }

  private RunState run(String runId) {
    return sources.runs().find(runId).orElseThrow(() -> new ApiException(404, "no run '" + runId + "'"));
  }

  private RunState awaitRun(String runId, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      java.util.Optional<RunState> run = sources.runs().find(runId);
      if (run.isPresent()) {
        return run.get();
      }
      if (System.nanoTime() > deadline) {
        throw new ApiException(404, "no run '" + runId + "'");
      }
      java.util.concurrent.TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  private static final List<String> LIST_QUERY = List.of("template", "status", "limit");

  private List<Map<String, Object>> listRuns(Map<String, String> q) {
    for (String key : q.keySet()) {
      if (!LIST_QUERY.contains(key)) {
        throw new ApiException(400, "unknown query parameter '" + key + "'; allowed: " + String.join(", ", LIST_QUERY));
      }
    }
    int limit;
    try {
      limit = Integer.parseInt(q.getOrDefault("limit", "50"));
    } catch (NumberFormatException e) {
      limit = 0;
    }
    if (limit < 1 || limit > 500) {
      throw new ApiException(400, "limit must be a whole number from 1 to 500, got '" + q.get("limit") + "'");
    }
    if (q.containsKey("status") && java.util.Arrays.stream(RunStatus.values()).noneMatch(st -> st.name().equalsIgnoreCase(q.get("status")))) {
      throw new ApiException(400, "status must be one of " + java.util.Arrays.stream(RunStatus.values()).map(Enum::name)
          .collect(java.util.stream.Collectors.joining(", ")) + ", got '" + q.get("status") + "'");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    // The newest runs, read in one pipeline: one Redis round trip per request, not one per run.
    for (RunState r : sources.runs().findAll(sources.runs().recentRuns(limit * 10))) {
      if ((q.containsKey("template") && !r.template().equals(q.get("template")))
          || (q.containsKey("status") && !r.status().name().equalsIgnoreCase(q.get("status")))) {
        continue;
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("runId", r.runId());
      row.put("template", r.template());
      row.put("templateVersion", r.templateVersion());
      row.put("status", r.status().name());
      row.put("createdAt", String.valueOf(r.createdAt()));
      row.put("endedAt", r.endedAt() == null ? null : r.endedAt().toString());
      out.add(row);
      if (out.size() == limit) {
        break;
      }
    }
    return out;
  }

  /** Most bytes of a request body read: enough to refuse a trigger over its parameter limit with the reason. */
  static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

  /** One JSON value, nothing after it, no key twice. */
  private static final com.fasterxml.jackson.databind.ObjectReader BODY_READER = new ObjectMapper()
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .reader().with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The request's body as a JSON object: JSON by its Content-Type (when it has one), bounded, whole. */
  private static JsonNode jsonBody(HttpExchange ex) throws IOException {
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    String mediaType = type == null ? "" : type.split(";")[0].strip().toLowerCase(java.util.Locale.ROOT);
    if (type != null && !mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
      throw new ApiException(415, "the body must be JSON (Content-Type: application/json), not " + type);
    }
    byte[] body;
    try {
      body = ex.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
    } catch (IOException e) {
      throw new ApiException(400, "the request body ended before its declared length: " + e.getMessage());
    }
    if (body.length > MAX_BODY_BYTES) {
      throw new ApiException(413, "the request body is larger than " + MAX_BODY_BYTES + " bytes");
    }
    JsonNode node;
    try {
      dev.baton.serde.PlainJson.requireUtf8(body);
      node = BODY_READER.readTree(body);
    } catch (dev.baton.serde.EventFormatException e) {
      throw new ApiException(400, "the body is " + e.getMessage());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ApiException(400, "the body is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || node.isMissingNode()) {
      throw new ApiException(400, "the body is empty; send a JSON object");
    }
    if (!node.isObject()) {
      throw new ApiException(400, "the body must be a JSON object, not " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return node;
  }

  /** The fields of a run's start, and what a run id may be (it names keys, attempts and pods). */
  private static final List<String> START_FIELDS = List.of("template", "params", "runId");
  static final java.util.regex.Pattern RUN_ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");

  private String startRun(JsonNode body) throws java.util.concurrent.ExecutionException, InterruptedException {
    body.fieldNames().forEachRemaining(field -> {
      if (!START_FIELDS.contains(field)) {
        throw new ApiException(400, "unknown field '" + field + "'; a run's start has " + String.join(", ", START_FIELDS));
      }
    });
    if (!body.path("template").isTextual() || body.get("template").asText().isBlank()) {
      throw new ApiException(400, "field 'template' must name a template");
    }
    Template t = template(body.get("template").asText());
    JsonNode values = body.path("params");
    if (!values.isMissingNode() && !values.isObject()) {
      throw new ApiException(400, "field 'params' must be an object of parameter values");
    }
    Map<String, String> params = new LinkedHashMap<>();
    values.fields().forEachRemaining(e -> {
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        throw new ApiException(400, "parameter '" + e.getKey() + "' must be a string, number or boolean");
      }
      params.put(e.getKey(), e.getValue().asText());
    });
    for (String given : params.keySet()) {
      if (!t.params().containsKey(given)) {
        throw new ApiException(400, "unknown parameter '" + given + "' for template '" + t.name() + "'");
      }
    }
    for (ParamSpec spec : t.params().values()) {
      if (spec.required() && !params.containsKey(spec.name())) {
        throw new ApiException(400, "missing required parameter '" + spec.name() + "' for template '" + t.name() + "'");
      }
    }
    long paramBytes = dev.baton.engine.decide.Decider.paramBytes(params);
    if (paramBytes > dev.baton.engine.decide.Decider.MAX_PARAM_BYTES) {
      throw new ApiException(400, "parameters are " + paramBytes + " bytes; a trigger may carry at most "
          + dev.baton.engine.decide.Decider.MAX_PARAM_BYTES);
    }
    String runId = body.has("runId") ? body.get("runId").asText() : "run-" + UUID.randomUUID().toString().substring(0, 13);
    if (body.has("runId") && (!body.get("runId").isTextual() || !RUN_ID.matcher(runId).matches())) {
      throw new ApiException(400, "field 'runId' must be 1 to 200 letters, digits and . _ : - (starting with a letter or digit), got "
          + (body.get("runId").isTextual() ? "'" + (runId.length() > 100 ? runId.substring(0, 100) + "..." : runId) + "'" : body.get("runId").getNodeType()));
    }
    if (sources.runs().find(runId).isPresent()) {
      throw new ApiException(409, "run '" + runId + "' already exists; a run id starts one run");
    }
    WorkflowTrigger trigger = WorkflowTrigger.newBuilder().setRunId(runId).setEventId("trigger:" + runId).setOccurredAt(Instant.now())
        .setTemplate(t.name()).setParams(params).build();
    producer.send(new ProducerRecord<>(config.topics().triggers(), runId, config.wire().encode(config.topics().triggers(), trigger))).get();
    return runId;
  }

  private void command(String runId, RunCommandType type) throws java.util.concurrent.ExecutionException, InterruptedException {
    RunCommand c = RunCommand.newBuilder().setEventId(type.name().toLowerCase() + ":" + runId + ":" + UUID.randomUUID()).setRunId(runId)
        .setOccurredAt(Instant.now()).setType(type).setReason("requested through the API").build();
    producer.send(new ProducerRecord<>(config.topics().commands(), runId, config.wire().encode(config.topics().commands(), c))).get();
  }

  /**
   * The run's events from its start, then live, as Server-Sent Events; the stream ends with the
   * run. Streams are written by threads of their own ({@value #MAX_STREAMS} at most, beyond that
   * 503), from one shared consumer ({@link RunEventFeed}), so open views never hold the threads
   * that answer probes and requests.
   */
  private void streamEvents(HttpExchange ex, String runId) {
    try {
      streamWriters.execute(() -> {
        try {
          writeStream(ex, runId);
        } catch (ApiException e) {
          trySend(ex, e.status, e.getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
          // the client went away, or Redis did: the stream ends
        } finally {
          ex.close();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      throw new ApiException(503, "too many live event streams are open (at most " + MAX_STREAMS + "); try again later");
    }
  }

  private void writeStream(HttpExchange ex, String runId) throws IOException, InterruptedException {
    RunState run = awaitRun(runId, Duration.ofSeconds(10)); // a run just started through POST may not be applied yet
    RunEventFeed.Subscription sub = events.subscribe(runId, run.createdAt() == null ? Instant.now().minusSeconds(3600) : run.createdAt());
    try {
      ex.getResponseHeaders().add("Content-Type", "text/event-stream");
      ex.getResponseHeaders().add("Cache-Control", "no-cache");
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      long deadline = System.nanoTime() + Duration.ofHours(1).toNanos();
      while (System.nanoTime() < deadline) {
        RunEvent e = sub.events.poll(15, java.util.concurrent.TimeUnit.SECONDS);
        if (e == null) {
          if (sub.dropped.get()) {
            out.write("event: overflow\ndata: {\"error\":\"this view fell too far behind; reload it\"}\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            return;
          }
          out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8)); // finds a client that went away
          out.flush();
          continue;
        }
        out.write(("event: " + e.getType() + "\ndata: " + new String(dev.baton.serde.PlainJson.write(e), StandardCharsets.UTF_8) + "\n\n")
            .getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (e.getType() == RunEventType.RUN_SUCCEEDED || e.getType() == RunEventType.RUN_FAILED || e.getType() == RunEventType.RUN_CANCELLED) {
          return;
        }
      }
    } finally {
      events.unsubscribe(sub);
    }
  }

  private static void trySend(HttpExchange ex, int status, String message) {
    try {
      send(ex, status, Map.of("error", message));
    } catch (IOException e) {
      // the client went away
    }
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> q = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          q.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return q;
  }

  private static void send(HttpExchange ex, int status, Object body) throws IOException {
    sendRaw(ex, status, "application/json", JSON.writeValueAsBytes(body));
  }

  private static void sendRaw(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    streamWriters.shutdownNow();
    events.close();
    producer.close();
  }
}
