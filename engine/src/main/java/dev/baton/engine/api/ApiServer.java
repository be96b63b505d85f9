package dev.baton.engine.api;

import static dev.baton.engine.api.Exchanges.jsonBody;
import static dev.baton.engine.api.Exchanges.query;
import static dev.baton.engine.api.Exchanges.send;
import static dev.baton.engine.api.Exchanges.sendRaw;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.baton.artifacts.ArtifactStore;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.correlate.CorrelationView;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.Waiting;
import dev.baton.engine.state.RunRepository;
import dev.baton.engine.triggers.TemplateCatalog;
import dev.baton.events.RunCommandType;
import dev.baton.events.WorkflowTrigger;
import dev.baton.health.HttpServers;
import dev.baton.metrics.Metrics;
import dev.baton.serde.CommandRequests;
import dev.baton.template.Template;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.redisson.client.RedisException;

/**
 * The REST API of the engine process: runs and templates as JSON (run state from Redis, templates
 * from the engine's store), a run's lifecycle as Server-Sent Events, and starting, cancelling and
 * retrying runs by publishing to Kafka; plus {@code /healthz} and {@code /readyz}. The JDK's HTTP
 * server: the API is a handful of routes, and it keeps the engine free of a web framework. Binds to
 * 127.0.0.1 unless told otherwise; anywhere else it needs a bearer token.
 */
public final class ApiServer implements AutoCloseable {
  private final Sources sources;
  private final EngineConfig config;
  private final HttpServer server;
  private final KafkaProducer<String, byte[]> producer;
  private final EventStreams streams;

  /**
   * What the API reads: runs, the latest templates, the engine's health and meters, and the keys
   * with attempts waiting or events kept on this engine's partitions.
   */
  public record Sources(
      RunRepository runs,
      Supplier<List<Template>> templates,
      BooleanSupplier live,
      BooleanSupplier ready,
      MeterRegistry metrics,
      Supplier<List<CorrelationView>> correlations,
      TemplateCatalog templateStore,
      ArtifactStore artifacts) {}

  private final RunHistory history;
  private final TemplateApply templateApply;

  /** Most requests one client address may have in progress at once. */
  public static final int PER_CLIENT = 16;

  public ApiServer(Sources sources, EngineConfig config, String host, int port) throws IOException {
    this(sources, config, host, port, null);
  }

  /**
   * {@code token}: when set, every {@code /api/} and {@code /metrics} request must carry it ({@code
   * Authorization: Bearer <token>}, or the {@code baton_token} cookie the web UI sets); others get
   * 401. Bound to anything but the loopback interface, the API needs one.
   */
  public ApiServer(Sources sources, EngineConfig config, String host, int port, String token)
      throws IOException {
    boolean loopback = InetAddress.getByName(host).isLoopbackAddress();
    if (ApiAccess.parse(token).isEmpty() && !loopback) {
      throw new IllegalArgumentException(
          "the API on "
              + host
              + " would be open to the network: set BATON_HTTP_TOKEN_FILE to a file"
              + " holding a bearer token, or keep BATON_HTTP_HOST on 127.0.0.1");
    }
    this.sources = sources;
    this.config = config;
    this.producer = producer(config);
    Properties kafka = new Properties();
    kafka.put("bootstrap.servers", config.bootstrapServers());
    kafka.putAll(config.kafka());
    this.history = new RunHistory(kafka, config.topics().history());
    this.templateApply =
        TemplateApply.of(sources.templates(), kafka, producer, config.topics().templates());
    this.streams =
        new EventStreams(id -> sources.runs().find(id).or(() -> history.find(id)), config);
    this.server = HttpServers.create(new InetSocketAddress(host, port), "baton-api");
    this.access =
        new ApiAccess(
            token,
            ApiAccess.hosts(
                host,
                server.getAddress().getPort(),
                config.http() == null ? List.of() : config.http().allowedHosts(),
                loopback),
            "local user " + System.getProperty("user.name"));
    // One client may not hold every thread with requests it sends slowly.
    server.createContext("/api/", this::api).getFilters().add(HttpServers.perClient(PER_CLIENT));
    server.createContext("/", this::page).getFilters().add(HttpServers.perClient(PER_CLIENT));
    Webhooks hooks =
        new Webhooks(
            sources.templates(),
            config.secrets(),
            sources.runs(),
            (runId, trigger) -> publish(config.topics().triggers(), runId, trigger));
    server
        .createContext(
            "/hooks/",
            ex -> {
              if (access.hostAllowed(ex)) {
                hooks.handle(ex);
              }
            })
        .getFilters()
        .add(HttpServers.perClient(PER_CLIENT));
    addProbes(sources);
    server.start();
  }

  private static KafkaProducer<String, byte[]> producer(EngineConfig config) {
    Properties p = new Properties();
    p.put("bootstrap.servers", config.bootstrapServers());
    p.put("acks", "all");
    p.put("max.block.ms", 10_000);
    p.putAll(config.kafka());
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** {@code /} and {@code /ui/...}: the web UI. */
  private void page(HttpExchange ex) throws IOException {
    if (access.hostAllowed(ex)) {
      UiAssets.serve(ex);
    }
  }

  /** {@code /healthz}, {@code /readyz}, and {@code /metrics} when the registry is Prometheus'. */
  private void addProbes(Sources sources) {
    server.createContext(
        "/healthz",
        ex ->
            send(
                ex,
                sources.live().getAsBoolean() ? 200 : 503,
                Map.of("live", sources.live().getAsBoolean())));
    server.createContext(
        "/readyz",
        ex ->
            send(
                ex,
                sources.ready().getAsBoolean() ? 200 : 503,
                Map.of("ready", sources.ready().getAsBoolean())));
    if (sources.metrics() instanceof PrometheusMeterRegistry prometheus) {
      server.createContext(
          "/metrics",
          ex -> {
            if (caller(ex) != null) {
              sendRaw(
                  ex,
                  200,
                  Metrics.CONTENT_TYPE,
                  prometheus.scrape().getBytes(StandardCharsets.UTF_8));
            }
          });
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private final ApiAccess access;

  /**
   * The caller of a request the API may answer (its host, its token), or null after answering why
   * not.
   */
  private String caller(HttpExchange ex) throws IOException {
    return access.hostAllowed(ex) ? access.caller(ex) : null;
  }

  private void api(HttpExchange ex) throws IOException {
    String caller = caller(ex);
    if (caller == null || !access.mayChange(ex)) {
      return;
    }
    try {
      route(ex, caller, ex.getRequestMethod(), ex.getRequestURI().getPath().replaceAll("/+$", ""));
    } catch (ApiException e) {
      send(ex, e.status, Map.of("error", e.getMessage()));
    } catch (RedisException | KafkaException | ExecutionException e) {
      send(ex, 503, Map.of("error", "Kafka or Redis is unavailable: " + e.getMessage()));
    } catch (RuntimeException e) {
      send(ex, 500, Map.of("error", String.valueOf(e.getMessage())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      send(ex, 503, Map.of("error", "interrupted"));
    }
  }

  private void route(HttpExchange ex, String caller, String method, String path)
      throws IOException, ExecutionException, InterruptedException {
    String route = Routes.of(ex, method, path);
    String[] parts = path.substring("/api/".length()).split("/");
    switch (method + " " + route) {
      case "GET /api/openapi.json" -> resource(ex, "/api/openapi.json");
      case "GET /api/schemas/template.json" -> resource(ex, "/schemas/template.schema.json");
      case "GET /api/runs" -> send(ex, 200, RunList.of(query(ex), sources.runs(), history));
      case "POST /api/runs" -> send(ex, 201, Map.of("runId", startRun(jsonBody(ex))));
      case "GET /api/runs/*" -> {
        Optional<RunState> live = sources.runs().find(parts[1]);
        RunState run =
            live.or(() -> history.find(parts[1]))
                .orElseThrow(() -> new ApiException(404, "no run '" + parts[1] + "'"));
        Template latest =
            sources.templates().get().stream()
                .filter(t -> t.name().equals(run.template()))
                .findFirst()
                .orElse(null);
        Map<String, Object> view = RunView.of(run, latest, sources.runs());
        if (live.isEmpty()) {
          view.put("fromHistory", true); // it left Redis: its summary, from the history topic
        }
        send(ex, 200, view);
      }
      case "GET /api/runs/*/events" -> streams.stream(ex, parts[1]);
      case "GET /api/runs/*/artifacts/*/*" ->
          ArtifactDownload.send(ex, run(parts[1]), parts[3], parts[4], sources.artifacts());
      case "POST /api/runs/*/cancel", "POST /api/runs/*/retry" -> {
        RunCommandType type =
            parts[2].equals("cancel") ? RunCommandType.CANCEL : RunCommandType.RETRY;
        CommandChecks.refuseWhatWouldNotApply(run(parts[1]), type);
        command(parts[1], type);
        send(ex, 202, Map.of("runId", parts[1], "requested", parts[2]));
      }
      case "POST /api/runs/*/pause", "POST /api/runs/*/resume" -> {
        boolean pause = parts[2].equals("pause");
        String refused = Waiting.pauseRefused(run(parts[1]), pause);
        if (refused != null) {
          throw new ApiException(409, refused);
        }
        command(parts[1], pause ? RunCommandType.PAUSE : RunCommandType.RESUME);
        send(ex, 202, Map.of("runId", parts[1], "requested", parts[2]));
      }
      case "POST /api/runs/*/jobs/*/approve", "POST /api/runs/*/jobs/*/reject" -> {
        ApprovalRequest a = ApprovalRequest.of(jsonBody(ex));
        RunState run = run(parts[1]);
        // Without one, the request answers the attempt waiting as it is read.
        Integer attempt = a.attempt() != null ? a.attempt() : Waiting.waitingAttempt(run, parts[3]);
        String refused =
            Waiting.approvalRefused(run, parts[3], attempt == null ? -1 : attempt, a.inputs());
        if (refused != null) {
          throw new ApiException(409, refused);
        }
        RunCommandType type =
            parts[4].equals("approve") ? RunCommandType.APPROVE : RunCommandType.REJECT;
        publish(
            config.topics().commands(),
            parts[1],
            CommandRequests.decision(
                parts[1],
                type,
                parts[3],
                attempt,
                a.inputs(),
                a.reason(),
                a.by() == null || a.by().equals(caller)
                    ? caller
                    : caller + " (as " + a.by() + ")"));
        send(
            ex,
            202,
            Map.of("runId", parts[1], "job", parts[3], "attempt", attempt, "requested", parts[4]));
      }
      case "GET /api/correlations" -> send(ex, 200, sources.correlations().get());
      case "GET /api/tenants" ->
          send(
              ex,
              200,
              TenantView.of(
                  config.tenancy(),
                  config.tenancy().sharesSlots() ? sources.runs().slots() : null,
                  sources.runs().tenantRuns(),
                  System.currentTimeMillis()));
      case "GET /api/templates" ->
          send(
              ex,
              200,
              TemplateView.list(sources.templates().get(), sources.templateStore()::stored));
      case "GET /api/templates/*" ->
          send(
              ex,
              200,
              TemplateView.version(
                  template(parts[1]).storeKey(), parts[1], query(ex), sources.templateStore()));
      case "GET /api/templates/*/versions" ->
          send(
              ex, 200, TemplateView.versions(parts[1], sources.templateStore().versions(parts[1])));
      case "POST /api/templates/validate" -> answer(ex, templateApply.validate(jsonBody(ex)));
      case "POST /api/templates" -> answer(ex, templateApply.apply(jsonBody(ex), caller));
      default ->
          throw new IllegalStateException("route " + method + " " + route + " has no handler");
    }
  }

  private static void answer(HttpExchange ex, TemplateApply.Answer a) throws IOException {
    send(ex, a.status(), a.body());
  }

  private static void resource(HttpExchange ex, String name) throws IOException {
    try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
      sendRaw(ex, 200, "application/json", in.readAllBytes());
    }
  }

  private Template template(String name) {
    return sources.templates().get().stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new ApiException(404, "no template '" + name + "'"));
  }

  /** The run from Redis, else, once it left Redis, its summary from the history topic. */
  private RunState run(String runId) {
    return sources
        .runs()
        .find(runId)
        .or(() -> history.find(runId))
        .orElseThrow(() -> new ApiException(404, "no run '" + runId + "'"));
  }

  private String startRun(JsonNode body) throws ExecutionException, InterruptedException {
    RunStart start = RunStart.of(body, this::template);
    String runId = start.runId();
    if (sources.runs().find(runId).isPresent()) {
      throw new ApiException(409, "run '" + runId + "' already exists; a run id starts one run");
    }
    WorkflowTrigger trigger =
        WorkflowTrigger.newBuilder()
            .setRunId(runId)
            .setEventId("trigger:" + runId)
            .setOccurredAt(Instant.now())
            .setTemplate(start.template().name())
            .setParams(start.params())
            .build();
    publish(config.topics().triggers(), runId, trigger);
    return runId;
  }

  private void command(String runId, RunCommandType type)
      throws ExecutionException, InterruptedException {
    publish(
        config.topics().commands(),
        runId,
        CommandRequests.of(runId, type, "requested through the API"));
  }

  /** Writes {@code event} to {@code topic} and waits for the broker to take it. */
  private void publish(String topic, String key, SpecificRecord event)
      throws ExecutionException, InterruptedException {
    producer.send(new ProducerRecord<>(topic, key, config.wire().encode(topic, event))).get();
  }

  @Override
  public void close() {
    server.stop(0);
    streams.close();
    history.close();
    producer.close();
  }
}
