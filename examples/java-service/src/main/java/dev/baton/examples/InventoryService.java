package dev.baton.examples;

import dev.baton.client.BatonClient;
import dev.baton.client.Reply;
import dev.baton.client.ServiceWorker;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The inventory service of {@code templates/order-services.yaml}: it answers each request on {@code
 * inventory.requests} with a reservation for the request's sku. Stops on Ctrl-C, finishing what it
 * holds.
 */
public final class InventoryService {
  private InventoryService() {}

  public static void main(String[] args) throws InterruptedException {
    String servers = System.getenv().getOrDefault("BATON_BOOTSTRAP_SERVERS", "localhost:9092");
    BatonClient baton = BatonClient.connect(servers);
    ServiceWorker worker =
        ServiceWorker.on(
                baton,
                "inventory.requests",
                request -> {
                  String sku = request.value().get("sku").asText();
                  System.out.println("reserved " + sku + " for run " + request.runId());
                  return Reply.succeeded(Map.of("reservationId", "res-" + sku));
                })
            .concurrency(8)
            .start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  worker.close();
                  baton.close();
                  stopped.countDown();
                }));
    System.out.println("answering inventory.requests; Ctrl-C stops");
    stopped.await();
  }
}
