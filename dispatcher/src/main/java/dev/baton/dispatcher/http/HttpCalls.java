package dev.baton.dispatcher.http;

import dev.baton.concurrent.DaemonThreads;
import dev.baton.dispatcher.Reports;
import dev.baton.events.CompletionStatus;
import dev.baton.events.HttpCall;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.secrets.SecretSource;
import dev.baton.security.Secrets;
import dev.baton.tracing.TraceIds;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the calls of http steps, without a process and without holding a job slot: the JDK's
 * client, asynchronously, one future per attempt. Each call carries {@code Idempotency-Key} (the
 * attempt id) and the attempt's {@code traceparent}; only hosts on the allow-list are called; a
 * redirect is followed only to the same scheme, host and port (at most {@value #MAX_REDIRECTS});
 * TLS is verified; the response body is read up to {@link #MAX_BODY_BYTES}; the whole exchange,
 * body included, ends within the step's timeout. How it ended becomes the attempt's report: the
 * HTTP status is its exit code (so {@code retry.on: [503]} works as for exit codes), a status the
 * step does not expect fails it with the status and the start of the body, and its outputs are the
 * step's CEL over the response ({@link ResponseOutputs}). Secrets in headers are resolved here and
 * never reported.
 */
public final class HttpCalls implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpCalls.class);

  /** Most bytes of a response body read. */
  public static final int MAX_BODY_BYTES = 1024 * 1024;

  /** Most characters of a body a failed attempt's report carries. */
  static final int REPORTED_CHARS = 4096;

  static final int MAX_REDIRECTS = 5;

  private final AllowedHosts allowed;
  private final SecretSource secrets;
  private final HttpClient client;
  private final Map<String, CompletableFuture<?>> running = new ConcurrentHashMap<>();

  public HttpCalls(AllowedHosts allowed, SecretSource secrets) {
    this.allowed = allowed;
    this.secrets = secrets;
    this.client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(Executors.newCachedThreadPool(DaemonThreads.named("baton-http")))
            .build();
  }

  /** Calls the dispatch's endpoint; false when this attempt's call is under way already. */
  public boolean start(JobDispatch d, Consumer<JobCompletion> onEnd) {
    CompletableFuture<Response> call = new CompletableFuture<>();
    if (running.putIfAbsent(d.getAttemptId(), call) != null) {
      return false;
    }
    Instant started = Instant.now();
    List<String> secretValues = new ArrayList<>();
    Duration limit = Duration.ofMillis(d.getTimeoutMs() == null ? 30_000 : d.getTimeoutMs());
    // The exchange under way, so that a timeout or a stop also closes its connection.
    AtomicReference<CompletableFuture<?>> sending = new AtomicReference<>();
    call.orTimeout(limit.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (response, error) -> {
              running.remove(d.getAttemptId());
              CompletableFuture<?> open = sending.get();
              if (open != null) {
                open.cancel(true);
              }
              onEnd.accept(masked(report(d, response, error, limit, started), secretValues));
            });
    try {
      HttpRequest request = request(d, URI.create(d.getHttp().getUrl()), secretValues);
      exchange(request, 0, sending)
          .whenComplete(
              (response, error) -> {
                if (error != null) {
                  call.completeExceptionally(error);
                } else {
                  call.complete(response);
                }
              });
    } catch (RefusedCall | IllegalArgumentException e) {
      call.completeExceptionally(e);
    }
    return true;
  }

  /** The report with every secret value it might hold masked. */
  private static JobCompletion masked(JobCompletion c, List<String> secretValues) {
    if (secretValues.isEmpty()) {
      return c;
    }
    return JobCompletion.newBuilder(c)
        .setOutputs(Secrets.mask(c.getOutputs(), secretValues))
        .setErrorTail(
            c.getErrorTail() == null ? null : Secrets.mask(c.getErrorTail(), secretValues))
        .setOutputTail(
            c.getOutputTail() == null ? null : Secrets.mask(c.getOutputTail(), secretValues))
        .build();
  }

  /** A call the dispatcher will not make, with why. */
  static final class RefusedCall extends Exception {
    RefusedCall(String why) {
      super(why);
    }
  }

  private HttpRequest request(JobDispatch d, URI url, List<String> secretValues)
      throws RefusedCall {
    if (url.getScheme() == null
        || !(url.getScheme().equalsIgnoreCase("https") || url.getScheme().equalsIgnoreCase("http"))
        || url.getHost() == null) {
      throw new RefusedCall("url '" + d.getHttp().getUrl() + "' is not an http(s) URL with a host");
    }
    if (!allowed.allows(url)) {
      throw new RefusedCall(
          "host '"
              + url.getHost()
              + "' is not on this dispatcher's allow-list (BATON_HTTP_ALLOWED_HOSTS: "
              + allowed
              + ")");
    }
    HttpCall call = d.getHttp();
    String body = call.getBody();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(url)
            .method(
                call.getMethod(),
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    for (Map.Entry<String, String> h : call.getHeaders().entrySet()) {
      header(b, h.getKey(), h.getValue());
    }
    for (var ref : call.getSecretHeaders().entrySet()) {
      String value =
          secrets
              .value(ref.getValue())
              .orElseThrow(
                  () ->
                      new RefusedCall(
                          "secret '"
                              + ref.getValue().getName()
                              + "' key '"
                              + ref.getValue().getKey()
                              + "' (for header "
                              + ref.getKey()
                              + ") is not available to this dispatcher"));
      secretValues.add(value);
      header(b, ref.getKey(), value);
    }
    header(b, "Idempotency-Key", d.getAttemptId());
    header(b, "traceparent", TraceIds.attempt(d.getRunId(), d.getAttemptId()).toString());
    return b.build();
  }

  private static void header(HttpRequest.Builder b, String name, String value) throws RefusedCall {
    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
      throw new RefusedCall("header " + name + " has a line break in its value: not sent");
    }
    try {
      b.setHeader(name, value);
    } catch (IllegalArgumentException e) {
      throw new RefusedCall("header " + name + " cannot be sent: " + e.getMessage());
    }
  }

  /** The exchange, following redirects that stay on the same origin. */
  private CompletableFuture<Response> exchange(
      HttpRequest request, int hops, AtomicReference<CompletableFuture<?>> sending) {
    CompletableFuture<HttpResponse<LimitedBody.Body>> sent =
        client.sendAsync(request, info -> LimitedBody.of(MAX_BODY_BYTES));
    sending.set(sent);
    return sent.thenCompose(
        r -> {
          String location = r.headers().firstValue("Location").orElse(null);
          if (r.statusCode() / 100 != 3 || location == null || hops >= MAX_REDIRECTS) {
            return CompletableFuture.completedFuture(new Response(r, null));
          }
          URI next = request.uri().resolve(location);
          if (!sameOrigin(request.uri(), next)) {
            return CompletableFuture.completedFuture(
                new Response(r, "redirect to " + next.getHost() + " not followed"));
          }
          HttpRequest.Builder again = HttpRequest.newBuilder(request, (n, v) -> true).uri(next);
          if (r.statusCode() == 303) {
            again.GET();
          }
          return exchange(again.build(), hops + 1, sending);
        });
  }

  record Response(HttpResponse<LimitedBody.Body> response, String refused) {}

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme() == null ? "" : b.getScheme())
        && a.getHost().equalsIgnoreCase(b.getHost() == null ? "" : b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  private static JobCompletion report(
      JobDispatch d, Response r, Throwable error, Duration limit, Instant started) {
    Instant ended = Instant.now();
    if (error != null) {
      Throwable cause = error instanceof CompletionException ? error.getCause() : error;
      if (cause instanceof RefusedCall || cause instanceof IllegalArgumentException) {
        return Reports.ended(
            d,
            "http",
            CompletionStatus.FAILED,
            null,
            Map.of(),
            cause.getMessage(),
            null,
            started,
            ended);
      }
      boolean timedOut = cause instanceof TimeoutException || cause instanceof HttpTimeoutException;
      String why =
          timedOut
              ? "no whole response within " + limit.toMillis() + " ms"
              : cause instanceof CancellationException ? "stopped" : "the call failed: " + cause;
      CompletionStatus status =
          timedOut
              ? CompletionStatus.TIMED_OUT
              : cause instanceof CancellationException
                  ? CompletionStatus.STOPPED
                  : CompletionStatus.FAILED;
      return Reports.ended(d, "http", status, null, Map.of(), why, null, started, ended);
    }
    HttpResponse<LimitedBody.Body> response = r.response();
    int code = response.statusCode();
    LimitedBody.Body body = response.body();
    String text = body.text();
    String head = text.length() <= REPORTED_CHARS ? text : text.substring(0, REPORTED_CHARS);
    if (body.exceeded()) {
      return Reports.ended(
          d,
          "http",
          CompletionStatus.FAILED,
          code,
          Map.of(),
          "HTTP " + code + ": the response body is larger than " + MAX_BODY_BYTES + " bytes",
          null,
          started,
          ended);
    }
    if (r.refused() != null) {
      return Reports.ended(
          d,
          "http",
          CompletionStatus.FAILED,
          code,
          Map.of(),
          "HTTP " + code + ": " + r.refused(),
          head,
          started,
          ended);
    }
    List<Integer> expect = d.getHttp().getExpect();
    boolean expected = expect.isEmpty() ? code / 100 == 2 : expect.contains(code);
    if (!expected) {
      return Reports.ended(
          d,
          "http",
          CompletionStatus.FAILED,
          code,
          Map.of(),
          "HTTP " + code + " (expected " + (expect.isEmpty() ? "2xx" : expect) + "): " + head,
          null,
          started,
          ended);
    }
    try {
      Map<String, String> outputs =
          ResponseOutputs.of(d.getHttp().getOutputs(), code, response.headers().map(), text);
      return Reports.ended(
          d,
          "http",
          CompletionStatus.SUCCEEDED,
          code,
          outputs,
          null,
          "HTTP " + code,
          started,
          ended);
    } catch (ResponseOutputs.OutputException e) {
      return Reports.ended(
          d,
          "http",
          CompletionStatus.FAILED,
          code,
          Map.of(),
          "HTTP " + code + ": " + e.getMessage(),
          head,
          started,
          ended);
    }
  }

  /** Stops the attempt's call, if it is under way here. */
  public void stop(String attemptId) {
    CompletableFuture<?> f = running.get(attemptId);
    if (f != null) {
      LOG.info("stopping the call of {}", attemptId);
      f.cancel(true);
    }
  }

  /** Calls under way (they hold no job slot). */
  public int running() {
    return running.size();
  }

  @Override
  public void close() {
    running.values().forEach(f -> f.cancel(true));
  }
}
