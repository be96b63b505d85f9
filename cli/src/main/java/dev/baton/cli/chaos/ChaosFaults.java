package dev.baton.cli.chaos;

import dev.baton.cli.dev.ChildProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The faults {@code baton chaos} injects into its cluster, one at a time. */
final class ChaosFaults {
  private final boolean redisCluster;
  private final int brokerOutageSeconds;
  private final Consumer<String> say;

  /** A fault, injected once {@code at} (a share) of the runs have ended. */
  record Fault(double at, String kind) {}

  /** When each fault comes, in order. */
  static List<Fault> plan(
      int engineKills,
      int dispatcherKills,
      int brokerRestarts,
      int redisRestarts,
      int masterKills,
      boolean redisCluster) {
    List<Fault> plan = new ArrayList<>();
    for (int i = 0; i < engineKills; i++) {
      plan.add(new Fault(0.10 + 0.6 * i / Math.max(1, engineKills), "kill engine"));
    }
    for (int i = 0; i < dispatcherKills; i++) {
      plan.add(new Fault(0.20 + 0.6 * i / Math.max(1, dispatcherKills), "kill dispatcher"));
    }
    for (int i = 0; i < brokerRestarts; i++) {
      plan.add(new Fault(0.50 + 0.1 * i, "restart broker"));
    }
    if (redisCluster) {
      for (int i = 0; i < masterKills; i++) {
        plan.add(new Fault(0.30 + 0.25 * i, "kill redis master"));
      }
      plan.add(new Fault(0.40, "add engine"));
      plan.add(new Fault(0.65, "remove engine"));
    } else {
      for (int i = 0; i < redisRestarts; i++) {
        plan.add(new Fault(0.35 + 0.1 * i, "restart redis"));
      }
    }
    plan.sort((a, b) -> Double.compare(a.at(), b.at()));
    return plan;
  }

  ChaosFaults(boolean redisCluster, int brokerOutageSeconds, Consumer<String> say) {
    this.redisCluster = redisCluster;
    this.brokerOutageSeconds = brokerOutageSeconds;
    this.say = say;
  }

  private int engineTurn;
  private int dispatcherTurn;

  /** One fault; kills take the two engines and the two dispatchers in turn. */
  void inject(String kind, ChaosCluster cluster) throws Exception {
    switch (kind) {
      case "kill engine" ->
          restart(cluster.engines, engineTurn++ % (redisCluster ? 3 : 2), true, cluster);
      case "kill redis master" -> killMaster(cluster);
      case "add engine" -> {
        ChildProcess added = cluster.engine(cluster.engines.size()).start();
        cluster.engines.add(added);
        awaitReady(added);
      }
      case "remove engine" -> cluster.engines.remove(cluster.engines.size() - 1).stop();
      case "kill dispatcher" -> restart(cluster.dispatchers, dispatcherTurn++ % 2, false, cluster);
      case "restart broker" -> {
        cluster.broker.stop();
        TimeUnit.SECONDS.sleep(brokerOutageSeconds); // the broker is away: nothing to wait for
        cluster.startBroker();
      }
      default -> {
        cluster.redis.close();
        cluster.startRedis();
      }
    }
  }

  /**
   * Kills -9 a master that has a replica, waits until its replica has taken over and the cluster
   * serves every slot again, and says how long that took.
   */
  private void killMaster(ChaosCluster cluster) throws Exception {
    var redis = cluster.redisCluster;
    redis.awaitReplicated(Duration.ofSeconds(60));
    List<Integer> replicated = redis.mastersWithReplica();
    if (replicated.isEmpty()) {
      say.accept("  no master has a replica left: none killed");
      return;
    }
    int victim = replicated.get(0);
    long t = System.nanoTime();
    redis.kill(victim);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (redis.masters().contains(victim) || redis.masters().size() < 3) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no replica took over from master " + victim + " in 60 s");
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    redis.awaitState("ok", Duration.ofSeconds(60));
    say.accept(
        String.format(
            "  master on port %d killed; its replica took over in %.1f s", victim, seconds(t)));
    // Until the shard has a replica again, saves there cannot be acknowledged (replica acks 1), so
    // the engines wait: the node comes back, as a platform would restart it, as the new replica.
    redis.restart(victim);
    redis.awaitReplicated(Duration.ofSeconds(120));
    say.accept(
        String.format("  node on port %d back as a replica after %.1f s", victim, seconds(t)));
  }

  private static void restart(
      List<ChildProcess> group, int index, boolean engine, ChaosCluster cluster) throws Exception {
    group.get(index).kill();
    group.set(index, (engine ? cluster.engine(index) : cluster.dispatcher(index)).start());
  }

  static void awaitReady(ChildProcess engine) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI ready = URI.create("http://127.0.0.1:" + engine.env("BATON_HEALTH_PORT") + "/readyz");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
    throw new IllegalStateException(engine.name() + " did not become ready in 180 s");
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
