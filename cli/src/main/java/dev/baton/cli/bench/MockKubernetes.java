package dev.baton.cli.bench;

import dev.baton.concurrent.DaemonThreads;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.lang.reflect.Field;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The fabric8 mock API server (CRUD) playing what it cannot do itself: the kubelet starting pods of
 * warm pools (they become Running), and the exec endpoint, answered over the Kubernetes websocket
 * protocol (channel 1 stdout, channel 3 status): a job prints a line and exits 0; {@code cat} of an
 * outputs file prints {@code step=<the last argument of the pod's last job>}; a job whose last
 * argument is {@code vanish} loses its pod: the stream closes without an exit status. It records
 * every exec's argv and when each exec and each pod creation arrived.
 */
public final class MockKubernetes implements AutoCloseable {
  /** Label of pool pods; the same as the dispatcher's. */
  private static final String POOL = "baton.io/pool";

  public final List<List<String>> execs = new CopyOnWriteArrayList<>();

  /**
   * Arrival (System.nanoTime) of the exec of an attempt, and of the creation of its pod, by attempt
   * id.
   */
  public final Map<String, Long> execArrived = new ConcurrentHashMap<>();

  public final Map<String, Long> podCreated = new ConcurrentHashMap<>();
  private final Map<String, String> lastJob = new ConcurrentHashMap<>();
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final ScheduledExecutorService kubelet =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("mock-kubelet"));

  private final ExecutorService closing =
      Executors.newCachedThreadPool(DaemonThreads.named("mock-watch-close"));

  /** The mock server logs every request at INFO through java.util.logging. */
  private static final Logger QUIET = Logger.getLogger("io.fabric8.mockwebserver");

  public MockKubernetes() {
    QUIET.setLevel(Level.WARNING);
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    Dispatcher crud = new KubernetesMixedDispatcher(responses);
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            responses,
            new Dispatcher() {
              @Override
              public MockResponse dispatch(RecordedRequest request) {
                return answer(request, crud);
              }
            },
            false);
    server.init();
    client = server.createClient();
    var unused = kubelet.scheduleWithFixedDelay(this::startPoolPods, 20, 50, TimeUnit.MILLISECONDS);
  }

  public KubernetesClient client() {
    return client;
  }

  private MockResponse answer(RecordedRequest request, Dispatcher crud) {
    long now = System.nanoTime();
    String path = request.getPath();
    if ("POST".equals(request.getMethod()) && path.endsWith("/pods")) {
      // getBytes() looks without consuming: the CRUD server still reads the body.
      String body =
          request.getBody() == null
              ? ""
              : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
      int at = body.indexOf("\"baton.io/attempt-id\":\"");
      if (at >= 0) {
        int from = at + "\"baton.io/attempt-id\":\"".length();
        podCreated.put(body.substring(from, body.indexOf('"', from)), now);
      }
      return crud.dispatch(request);
    }
    if (!path.contains("/exec?")) {
      return offTheEventLoop(crud.dispatch(request));
    }
    List<String> argv = new ArrayList<>();
    for (String param : path.substring(path.indexOf('?') + 1).split("&")) {
      if (param.startsWith("command=")) {
        argv.add(URLDecoder.decode(param.substring("command=".length()), StandardCharsets.UTF_8));
      }
    }
    execs.add(argv);
    String pod = path.replaceAll(".*/pods/([^/]+)/exec.*", "$1");
    if (argv.get(0).equals("env")) {
      lastJob.put(pod, argv.get(argv.size() - 1));
      argv.stream()
          .filter(a -> a.startsWith("BATON_ATTEMPT_ID="))
          .findFirst()
          .ifPresent(a -> execArrived.put(a.substring("BATON_ATTEMPT_ID=".length()), now));
    }
    String out =
        argv.get(0).equals("cat")
            ? "step=" + lastJob.get(pod) + "\n"
            : "ran " + argv.get(argv.size() - 1) + "\n";
    return new MockResponse()
        .withWebSocketUpgrade(
            new WebSocketListener() {
              /*
               * The answer goes from another thread, after the upgrade, as an API server's does:
               * sent and closed from inside onOpen, about one exec in 1,500 never opened for the
               * client (it gave up after its 10 s request timeout).
               */
              @Override
              public void onOpen(WebSocket ws, Response response) {
                closing.execute(
                    () -> {
                      if (argv.get(argv.size() - 1).equals("vanish")) {
                        ws.close(1006, "pod deleted");
                        return;
                      }
                      ws.send(frame(1, out));
                      ws.send(frame(3, "{\"metadata\":{},\"status\":\"Success\"}"));
                      ws.close(1000, "done");
                    });
              }
            });
  }

  /**
   * The CRUD server's watch listener, with its close callbacks moved off the server's event loop.
   * When a watch closes, the listener waits (up to a minute) for its sender thread to finish, on
   * the event loop; that thread may be waiting (up to 30 s) for a write that only the event loop
   * can complete. Until one of them times out, the whole API server stops answering. The listener
   * is first taken out of the server's watch list, on the event loop, so that no event is routed to
   * it once its sender thread is shut down.
   */
  private MockResponse offTheEventLoop(MockResponse response) {
    WebSocketListener watch = response.getWebSocketListener();
    if (watch == null) {
      return response;
    }
    return response.withWebSocketUpgrade(
        new WebSocketListener() {
          @Override
          public void onBeforeAccept(WebSocket ws, Response r) {
            watch.onBeforeAccept(ws, r);
          }

          @Override
          public void onOpen(WebSocket ws, Response r) {
            watch.onOpen(ws, r);
          }

          @Override
          public void onMessage(WebSocket ws, String text) {
            watch.onMessage(ws, text);
          }

          @Override
          public void onMessage(WebSocket ws, byte[] bytes) {
            watch.onMessage(ws, bytes);
          }

          @Override
          public void onClosing(WebSocket ws, int code, String reason) {
            watch.onClosing(ws, code, reason);
          }

          @Override
          public void onClosed(WebSocket ws, int code, String reason) {
            unlist(watch);
            closing.execute(() -> watch.onClosed(ws, code, reason));
          }

          @Override
          public void onFailure(WebSocket ws, Throwable t, Response r) {
            unlist(watch);
            closing.execute(() -> watch.onFailure(ws, t, r));
          }
        });
  }

  /** Removes a watch listener from the CRUD server's list of watches, as its close would. */
  private static void unlist(WebSocketListener watch) {
    try {
      Field list = watch.getClass().getDeclaredField("watchEventListenerList");
      list.setAccessible(true);
      ((Set<?>) list.get(watch)).remove(watch);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the mock API server's watch listener has changed", e);
    }
  }

  private static byte[] frame(int channel, String text) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[body.length + 1];
    out[0] = (byte) channel;
    System.arraycopy(body, 0, out, 1, body.length);
    return out;
  }

  private void startPoolPods() {
    try {
      for (Pod p :
          client.pods().inNamespace(client.getNamespace()).withLabel(POOL).list().getItems()) {
        if (p.getStatus() == null || p.getStatus().getPhase() == null) {
          client
              .pods()
              .inNamespace(client.getNamespace())
              .withName(p.getMetadata().getName())
              .editStatus(
                  x ->
                      new PodBuilder(x).editOrNewStatus().withPhase("Running").endStatus().build());
        }
      }
    } catch (RuntimeException e) {
      // a pod deleted meanwhile
    }
  }

  @Override
  public void close() {
    kubelet.shutdownNow();
    client.close();
    closing.shutdown();
    server.destroy();
  }
}
