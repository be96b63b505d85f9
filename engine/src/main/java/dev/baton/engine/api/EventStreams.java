package dev.baton.engine.api;

import com.sun.net.httpserver.HttpExchange;
import dev.baton.concurrent.DaemonThreads;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.decide.RunState;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.serde.PlainJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** {@code GET /api/runs/<id>/events}: live event streams, on threads of their own. */
final class EventStreams implements AutoCloseable {
  /** Most live event streams open at once. */
  static final int MAX_STREAMS = 200;

  private final Function<String, Optional<RunState>> runs;
  private final RunEventFeed events;
  private final ThreadPoolExecutor streamWriters =
      new ThreadPoolExecutor(
          0,
          MAX_STREAMS,
          60,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          DaemonThreads.named("baton-api-stream"));

  /** {@code runs}: finds a run (in Redis, else in the history topic). */
  EventStreams(Function<String, Optional<RunState>> runs, EngineConfig config) {
    this.runs = runs;
    this.events = new RunEventFeed(config);
  }

  /**
   * The run's events from its start, then live, as Server-Sent Events; the stream ends with the
   * run. Streams are written by threads of their own ({@value #MAX_STREAMS} at most, beyond that
   * 503), from one shared consumer ({@link RunEventFeed}), so open views never hold the threads
   * that answer probes and requests.
   */
  void stream(HttpExchange ex, String runId) {
    try {
      streamWriters.execute(
          () -> {
            try {
              write(ex, runId);
            } catch (ApiException e) {
              Exchanges.trySend(ex, e.status, e.getMessage());
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
              // the client went away, or Redis did: the stream ends
            } finally {
              ex.close();
            }
          });
    } catch (RejectedExecutionException e) {
      throw new ApiException(
          503,
          "too many live event streams are open (at most " + MAX_STREAMS + "); try again later");
    }
  }

  private void write(HttpExchange ex, String runId) throws IOException, InterruptedException {
    RunState run =
        awaitRun(
            runId,
            Duration.ofSeconds(10)); // a run just started through POST may not be applied yet
    RunEventFeed.Subscription sub =
        events.subscribe(
            runId, run.createdAt() == null ? Instant.now().minusSeconds(3600) : run.createdAt());
    try {
      ex.getResponseHeaders().add("Content-Type", "text/event-stream");
      ex.getResponseHeaders().add("Cache-Control", "no-cache");
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      long deadline = System.nanoTime() + Duration.ofHours(1).toNanos();
      while (System.nanoTime() < deadline) {
        RunEvent e = sub.events.poll(15, TimeUnit.SECONDS);
        if (e == null) {
          if (sub.dropped.get()) {
            out.write(
                "event: overflow\ndata: {\"error\":\"this view fell too far behind; reload it\"}\n\n"
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            return;
          }
          out.write(
              ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8)); // finds a client that went away
          out.flush();
          continue;
        }
        out.write(
            ("event: "
                    + e.getType()
                    + "\ndata: "
                    + new String(PlainJson.write(e), StandardCharsets.UTF_8)
                    + "\n\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (e.getType() == RunEventType.RUN_SUCCEEDED
            || e.getType() == RunEventType.RUN_FAILED
            || e.getType() == RunEventType.RUN_CANCELLED) {
          return;
        }
      }
    } finally {
      events.unsubscribe(sub);
    }
  }

  private RunState awaitRun(String runId, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<RunState> run = runs.apply(runId);
      if (run.isPresent()) {
        return run.get();
      }
      if (System.nanoTime() > deadline) {
        throw new ApiException(404, "no run '" + runId + "'");
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  @Override
  public void close() {
    streamWriters.shutdownNow();
    events.close();
  }
}
