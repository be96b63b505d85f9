package dev.baton.examples;

import dev.baton.client.BatonClient;
import dev.baton.client.RunHandle;
import dev.baton.client.RunResult;
import dev.baton.client.StartOptions;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Starts an order ({@code templates/order-services.yaml}), publishes its payment as the payment
 * service would, and prints how the run ended. Argument: the order id (one run per order).
 */
public final class PlaceOrder {
  private PlaceOrder() {}

  public static void main(String[] args) {
    String servers = System.getenv().getOrDefault("BATON_BOOTSTRAP_SERVERS", "localhost:9092");
    String order = args.length > 0 ? args[0] : "o-1";
    try (BatonClient baton = BatonClient.connect(servers)) {
      RunHandle run =
          baton.start(
              "order-services",
              Map.of("orderId", order),
              StartOptions.idempotencyKey("order/" + order));
      System.out.println("started run " + run.runId());
      try (KafkaProducer<String, String> payments =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", servers),
              new StringSerializer(),
              new StringSerializer())) {
        String event = "{\"orderId\": \"" + order + "\", \"amount\": 42}";
        payments.send(new ProducerRecord<>("payments.settled", order, event));
        System.out.println("payment published: " + event);
      }
      RunResult result = run.await(Duration.ofMinutes(2));
      System.out.println(result.status() + " " + result.outputs());
    }
  }
}
