package dev.baton.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven over the Chrome DevTools Protocol: navigate, evaluate script (clicks
 * included), take a screenshot. Only what the UI tests need.
 */
final class Cdp implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Process chromium;
  private final WebSocket socket;
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  private Cdp(Process chromium, WebSocket socket) {
    this.chromium = chromium;
    this.socket = socket;
  }

  static Cdp open(Path profile) throws Exception {
    Process p =
        new ProcessBuilder(
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--window-size=1100,700",
                "--remote-debugging-port=0",
                "about:blank")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    BufferedReader err =
        new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
    Pattern listening = Pattern.compile("DevTools listening on ws://([^/]+)/");
    String host = null;
    for (String line = err.readLine(); line != null; line = err.readLine()) {
      Matcher m = listening.matcher(line);
      if (m.find()) {
        host = m.group(1);
        break;
      }
    }
    if (host == null) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not open its DevTools port");
    }
    Thread drain =
        new Thread(
            () -> {
              try {
                while (err.readLine() != null) {
                  // keep chromium's stderr from filling up
                }
              } catch (java.io.IOException e) {
                // chromium ended
              }
            });
    drain.setDaemon(true);
    drain.start();
    HttpClient http = HttpClient.newHttpClient();
    JsonNode targets =
        JSON.readTree(
            http.send(
                    HttpRequest.newBuilder(URI.create("http://" + host + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    String page = null;
    for (JsonNode t : targets) {
      if ("page".equals(t.path("type").asText())) {
        page = t.path("webSocketDebuggerUrl").asText();
      }
    }
    Cdp[] self = new Cdp[1];
    StringBuilder partial = new StringBuilder();
    WebSocket socket =
        http.newWebSocketBuilder()
            .buildAsync(
                URI.create(page),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                      self[0].received(partial.toString());
                      partial.setLength(0);
                    }
                    ws.request(1);
                    return null;
                  }
                })
            .get(30, TimeUnit.SECONDS);
    self[0] = new Cdp(p, socket);
    return self[0];
  }

  private void received(String text) {
    try {
      JsonNode message = JSON.readTree(text);
      if (message.has("id")) {
        CompletableFuture<JsonNode> f = pending.remove(message.get("id").asInt());
        if (f != null) {
          f.complete(message);
        }
      }
    } catch (java.io.IOException e) {
      // not a protocol message
    }
  }

  /** Calls {@code method} and returns its result; a protocol error fails the test. */
  JsonNode call(String method, Map<String, Object> params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    socket
        .sendText(
            JSON.writeValueAsString(Map.of("id", id, "method", method, "params", params)), true)
        .get(10, TimeUnit.SECONDS);
    JsonNode message = answer.get(30, TimeUnit.SECONDS);
    if (message.has("error")) {
      throw new AssertionError(method + ": " + message.get("error"));
    }
    return message.path("result");
  }

  void navigate(String url) throws Exception {
    call("Page.navigate", Map.of("url", url));
  }

  /** The value of {@code expression} in the page (a promise is awaited). */
  JsonNode eval(String expression) throws Exception {
    JsonNode r =
        call(
            "Runtime.evaluate",
            Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
    if (r.has("exceptionDetails")) {
      throw new AssertionError(expression + ": " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /**
   * Drags with the mouse from the centre of the element {@code from} selects to the centre of
   * {@code to}'s: pressed, moved in steps, released, as a hand would.
   */
  void drag(String from, String to) throws Exception {
    double[] a = centre(from);
    double[] b = centre(to);
    mouse("mousePressed", a[0], a[1]);
    for (int i = 1; i <= 5; i++) {
      mouse("mouseMoved", a[0] + (b[0] - a[0]) * i / 5, a[1] + (b[1] - a[1]) * i / 5);
    }
    mouse("mouseReleased", b[0], b[1]);
  }

  private double[] centre(String selector) throws Exception {
    JsonNode r =
        eval(
            "(() => { const el = document.querySelector("
                + JSON.writeValueAsString(selector)
                + "); const b = el.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; })()");
    return new double[] {r.get(0).asDouble(), r.get(1).asDouble()};
  }

  private void mouse(String type, double x, double y) throws Exception {
    call(
        "Input.dispatchMouseEvent",
        Map.of(
            "type",
            type,
            "x",
            x,
            "y",
            y,
            "button",
            "left",
            "buttons",
            type.equals("mouseReleased") ? 0 : 1,
            "clickCount",
            1));
  }

  /** A PNG of the page as it is drawn now. */
  byte[] screenshot() throws Exception {
    return java.util.Base64.getDecoder()
        .decode(call("Page.captureScreenshot", Map.of("format", "png")).path("data").asText());
  }

  @Override
  public void close() {
    socket.abort();
    chromium.destroyForcibly();
  }
}
