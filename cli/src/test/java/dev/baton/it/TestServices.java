package dev.baton.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The services a run of the service-step tests talks to: an HTTP server (the JDK's own) with one
 * path per behaviour, and an inventory service on Kafka written with plain kafka-clients, as a
 * team's own service would be.
 */
final class TestServices implements AutoCloseable {
  final HttpServer http;

  /** Requests by path, each with the headers it carried (lower-case names). */
  final List<Map.Entry<String, Map<String, String>>> requests = new CopyOnWriteArrayList<>();

  final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  /** Released by a test: the slow path answers then. */
  final CountDownLatch slowAnswer = new CountDownLatch(1);

  final AtomicBoolean slowAnswered = new AtomicBoolean();

  TestServices() throws IOException {
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.setExecutor(Executors.newCachedThreadPool());
    http.createContext("/", this::handle);
    http.start();
  }

  int port() {
    return http.getAddress().getPort();
  }

  String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  long hits(String prefix) {
    return requests.stream().filter(r -> r.getKey().startsWith(prefix)).count();
  }

  private void handle(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    Map<String, String> headers = new java.util.TreeMap<>();
    x.getRequestHeaders()
        .forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
    byte[] body = x.getRequestBody().readAllBytes();
    requests.add(Map.entry(path, headers));
    try (x) {
      if (path.startsWith("/quote/")) {
        String order = path.substring("/quote/".length());
        boolean authorised = "Bearer s3cret".equals(headers.get("authorization"));
        answer(
            x,
            authorised ? 200 : 401,
            "{\"order\":\"" + order + "\",\"amount\":42,\"currency\":\"EUR\"}");
      } else if (path.startsWith("/flaky/")) {
        // 503 on the first call of each order, then the charge.
        int n = calls.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        if (n == 1) {
          answer(x, 503, "{\"error\":\"try later\"}");
        } else {
          answer(x, 201, "{\"charged\":" + new String(body, StandardCharsets.UTF_8) + "}");
        }
      } else if (path.equals("/slow")) {
        try {
          slowAnswer.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        slowAnswered.set(true);
        answer(x, 200, "{\"late\":true}");
      } else if (path.equals("/big")) {
        // 50 MB, streamed.
        x.sendResponseHeaders(200, 0);
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        try (OutputStream out = x.getResponseBody()) {
          for (int i = 0; i < 50 * 16; i++) {
            out.write(chunk);
          }
        } catch (IOException e) {
          // the caller stopped reading: what it should do
        }
      } else if (path.equals("/loris")) {
        // Headers at once, then one byte every 200 ms for a minute.
        x.sendResponseHeaders(200, 0);
        try (OutputStream out = x.getResponseBody()) {
          for (int i = 0; i < 300; i++) {
            out.write('.');
            out.flush();
            Thread.sleep(200);
          }
        } catch (IOException | InterruptedException e) {
          // the caller hung up
        }
      } else if (path.equals("/redirect")) {
        x.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
        x.sendResponseHeaders(302, -1);
      } else {
        answer(x, 200, "{\"path\":\"" + path + "\"}");
      }
    }
  }

  private static void answer(HttpExchange x, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    } catch (IOException e) {
      // the caller gave up (a timeout): the late answer goes nowhere
    }
  }

  /**
   * An inventory service on Kafka: reads requests from {@code topic} and answers each with a signed
   * completion on the reply topic the request names, its reservation id {@code res-<sku>}. A sku
   * {@code unsigned} gets a reply without the token first; a sku starting with {@code hold} is
   * answered only when the test calls {@link InventoryService#answerHeld()}.
   */
  static final class InventoryService implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private final KafkaProducer<String, String> producer;
    private final Thread loop;
    private final AtomicBoolean stop = new AtomicBoolean();
    final List<ConsumerRecord<String, String>> held = new CopyOnWriteArrayList<>();
    final List<ConsumerRecord<String, String>> seen = new CopyOnWriteArrayList<>();

    InventoryService(String bootstrap, String topic, String group) {
      Properties c = new Properties();
      c.put("bootstrap.servers", bootstrap);
      c.put("group.id", group);
      c.put("auto.offset.reset", "earliest");
      c.put("isolation.level", "read_committed");
      consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
      Properties p = new Properties();
      p.put("bootstrap.servers", bootstrap);
      producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
      consumer.subscribe(List.of(topic));
      loop = new Thread(this::run, "inventory-service");
      loop.start();
    }

    private void run() {
      while (!stop.get()) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
          seen.add(r);
          String sku = r.key();
          if (sku.startsWith("hold")) {
            held.add(r);
            continue;
          }
          if (sku.equals("unsigned")) {
            reply(r, false);
          }
          reply(r, true);
        }
      }
      consumer.close();
    }

    void answerHeld() {
      held.forEach(r -> reply(r, true));
    }

    void reply(ConsumerRecord<String, String> request, boolean signed) {
      String item = header(request, "baton-item");
      String json =
          "{\"runId\":\""
              + header(request, "baton-run-id")
              + "\",\"job\":\""
              + header(request, "baton-job")
              + "\",\"attempt\":"
              + header(request, "baton-attempt")
              + (item == null ? "" : ",\"item\":" + item)
              + ",\"status\":\"SUCCEEDED\",\"outputs\":{\"reservationId\":\"res-"
              + request.key()
              + "\"},\"reporter\":\"inventory\""
              + (signed ? ",\"token\":\"" + header(request, "baton-attempt-token") + "\"" : "")
              + "}";
      try {
        producer
            .send(
                new ProducerRecord<>(
                    header(request, "baton-reply-topic"), header(request, "baton-run-id"), json))
            .get();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    static String header(ConsumerRecord<String, String> r, String name) {
      Header h = r.headers().lastHeader(name);
      return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      loop.join(10_000);
      producer.close();
    }
  }

  @Override
  public void close() {
    slowAnswer.countDown();
    http.stop(0);
  }
}
