package dev.baton.examples;

import dev.baton.client.BatonClient;
import dev.baton.client.Reply;
import dev.baton.client.RunResult;
import dev.baton.client.ServiceWorker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Start to result of {@code templates/service-chain.yaml} (three service steps in a row), with a
 * {@link ServiceWorker} that answers each request at once: a closed loop of {@code inFlight} runs
 * (default 32) until {@code runs} (default 1,000) have ended, after 100 to warm up. Prints the p50,
 * p99 and max of start to result, and runs per second.
 */
public final class ServiceLatency {
  private ServiceLatency() {}

  public static void main(String[] args) throws Exception {
    String servers = System.getenv().getOrDefault("BATON_BOOTSTRAP_SERVERS", "localhost:9092");
    int inFlight = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    try (BatonClient baton = BatonClient.connect(servers);
        ServiceWorker worker =
            ServiceWorker.on(baton, "chain.requests", r -> Reply.succeeded(Map.of("done", r.job())))
                .concurrency(16)
                .start()) {
      loop(baton, inFlight, 100);
      long t0 = System.nanoTime();
      List<Long> millis = loop(baton, inFlight, runs);
      double seconds = (System.nanoTime() - t0) / 1e9;
      Collections.sort(millis);
      System.out.printf(
          "service-chain (3 service steps), %d runs, %d in flight: start to result p50 %d ms, p99"
              + " %d ms, max %d ms; %.0f runs/s (%.0f steps/s); %d replies%n",
          runs,
          inFlight,
          millis.get(millis.size() / 2),
          millis.get((int) (millis.size() * 0.99)),
          millis.get(millis.size() - 1),
          runs / seconds,
          3 * runs / seconds,
          worker.answered());
    }
  }

  /**
   * Keeps {@code inFlight} runs going until {@code runs} have ended; each one's start to result.
   */
  private static List<Long> loop(BatonClient baton, int inFlight, int runs) throws Exception {
    Semaphore slots = new Semaphore(inFlight);
    CountDownLatch ended = new CountDownLatch(runs);
    List<Long> millis = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger failed = new AtomicInteger();
    for (int i = 0; i < runs; i++) {
      slots.acquire();
      long start = System.nanoTime();
      baton
          .start("service-chain", Map.of())
          .result()
          .whenComplete(
              (RunResult r, Throwable e) -> {
                if (e != null || !r.succeeded()) {
                  failed.incrementAndGet();
                }
                millis.add((System.nanoTime() - start) / 1_000_000);
                slots.release();
                ended.countDown();
              });
    }
    ended.await();
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " runs did not succeed");
    }
    return millis;
  }
}
