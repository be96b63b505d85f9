package dev.baton.it;

import dev.baton.client.BatonClient;
import dev.baton.client.Reply;
import dev.baton.client.ServiceRequest;
import dev.baton.client.ServiceWorker;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A service on Kafka written with the Java client: it answers {@code n} with {@code doubled=2n},
 * taking {@code millis} per request, and fails a request whose {@code n} is not a number. Run as a
 * process by {@link ClientIT} (args: bootstrap servers, topic prefix, topic, millis), so that it
 * can be killed -9 while it holds requests.
 */
public final class DoublingWorker {
  private DoublingWorker() {}

  static Reply answer(ServiceRequest request, long millis) throws InterruptedException {
    if (millis > 0) {
      Thread.sleep(millis); // the service's own work
    }
    long n = Long.parseLong(request.value().get("n").asText());
    return Reply.succeeded(Map.of("doubled", Long.toString(2 * n)));
  }

  public static void main(String[] args) throws Exception {
    long millis = Long.parseLong(args[3]);
    BatonClient client = BatonClient.builder(args[0]).topicPrefix(args[1]).build();
    ServiceWorker.on(client, args[2], request -> answer(request, millis)).concurrency(8).start();
    System.out.println("worker started");
    new CountDownLatch(1).await(); // until killed
  }
}
