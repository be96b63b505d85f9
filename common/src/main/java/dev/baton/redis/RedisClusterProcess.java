package dev.baton.redis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

/**
 * A Redis Cluster on loopback ports, from Debian's {@code redis-server} and {@code redis-cli}:
 * {@code masters} masters with {@code replicas} replicas each, created with {@code redis-cli
 * --cluster create}. For tests and {@code baton chaos}: a master can be killed (-9) and its replica
 * takes over (node timeout 5 s: shorter, a busy machine fails over masters that are only slow).
 */
public final class RedisClusterProcess implements AutoCloseable {
  private final Map<Integer, Process> nodes = new LinkedHashMap<>();
  private final Map<Integer, Integer> busPorts = new LinkedHashMap<>();
  private Path dir;

  private RedisClusterProcess() {}

  /** Starts the nodes in {@code dir}, creates the cluster and waits until it serves every slot. */
  public static RedisClusterProcess start(Path dir, int masters, int replicas, IntSupplier freePort)
      throws IOException {
    RedisClusterProcess cluster = new RedisClusterProcess();
    cluster.dir = dir;
    try {
      for (int i = 0; i < masters * (1 + replicas); i++) {
        cluster.startNode(dir, freePort.getAsInt(), freePort.getAsInt());
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      cluster.nodes.keySet().forEach(p -> create.add("127.0.0.1:" + p));
      create.addAll(List.of("--cluster-replicas", Integer.toString(replicas), "--cluster-yes"));
      String out = run(create, Duration.ofSeconds(60));
      if (!out.contains("All 16384 slots covered")) {
        throw new IOException("redis-cli --cluster create did not cover every slot:\n" + out);
      }
      cluster.awaitState("ok", Duration.ofSeconds(30));
      return cluster;
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** A node on {@code port}, its cluster bus on {@code busPort} (not port + 10000: free too). */
  private void startNode(Path dir, int port, int busPort) throws IOException {
    Path nodeDir = dir.resolve("redis-" + port);
    Files.createDirectories(nodeDir);
    Process p =
        new ProcessBuilder(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--cluster-enabled",
                "yes",
                "--cluster-port",
                Integer.toString(busPort),
                "--cluster-config-file",
                nodeDir.resolve("nodes.conf").toString(),
                "--cluster-node-timeout",
                "5000",
                "--dir",
                nodeDir.toString(),
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("redis.log").toFile()))
            .start();
    nodes.put(port, p);
    busPorts.put(port, busPort);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!cli(port, "PING").startsWith("PONG")) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new IOException("redis-server on port " + port + " did not start; see " + nodeDir);
      }
      pause(50);
    }
  }

  /** The URL Baton takes: {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,...}. */
  public String url() {
    return "redis-cluster://"
        + nodes.keySet().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  /** The ports of the nodes that are masters now, by {@code CLUSTER NODES} of a live node. */
  public List<Integer> masters() {
    List<Integer> out = new ArrayList<>();
    for (String line : clusterNodes().split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length > 2 && f[2].contains("master") && !f[2].contains("fail")) {
        out.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@'))));
      }
    }
    return out;
  }

  /** The ports of live masters that have a live replica: one of them may be killed safely. */
  public List<Integer> mastersWithReplica() {
    Map<String, Integer> masterPorts = new LinkedHashMap<>();
    Set<String> replicated = new HashSet<>();
    for (String line : clusterNodes().split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 4 || f[2].contains("fail")) {
        continue;
      }
      if (f[2].contains("master")) {
        masterPorts.put(
            f[0], Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@'))));
      } else if (f[2].contains("slave")) {
        replicated.add(f[3]);
      }
    }
    masterPorts.keySet().retainAll(replicated);
    return new ArrayList<>(masterPorts.values());
  }

  /**
   * Waits until each master's writes so far reached one replica ({@code WAIT 1}); a replica still
   * in its first sync after the cluster was created acknowledges nothing yet, so this asks again.
   */
  public void awaitReplicated(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      // Asked again each round: under load a slow master may be failed over meanwhile.
      List<Integer> unacknowledged = new ArrayList<>();
      for (int port : masters()) {
        if (acknowledgedReplicas(cli(port, "WAIT", "1", "1000")) < 1) {
          unacknowledged.add(port);
        }
      }
      if (unacknowledged.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "the masters on ports "
                + unacknowledged
                + " have no replica that acknowledged within "
                + timeout.toSeconds()
                + " s; CLUSTER NODES:\n"
                + clusterNodes());
      }
      pause(100);
    }
  }

  /** The number {@code WAIT} answered (redis-cli prints it bare, or as "(integer) n"). */
  private static int acknowledgedReplicas(String reply) {
    String n = reply.strip().replace("(integer)", "").strip();
    try {
      return Integer.parseInt(n);
    } catch (NumberFormatException e) {
      return 0; // an error reply: the node is not answering as a master now
    }
  }

  /** Kills the node on {@code port} (SIGKILL). */
  public void kill(int port) throws InterruptedException {
    Process p = nodes.get(port);
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * Starts a killed node again on its port, with the cluster configuration it kept: it rejoins, as
   * a replica of the node that took over its slots.
   */
  public void restart(int port) throws IOException {
    startNode(dir, port, busPorts.get(port));
  }

  /** Waits until every live node says {@code cluster_state:<state>}. */
  public void awaitState(String state, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean all = true;
      for (var e : nodes.entrySet()) {
        if (e.getValue().isAlive()) {
          all &= cli(e.getKey(), "CLUSTER", "INFO").contains("cluster_state:" + state);
        }
      }
      if (all) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "the Redis Cluster did not reach state " + state + " in " + timeout.toSeconds() + " s");
      }
      pause(100);
    }
  }

  private String clusterNodes() {
    for (var e : nodes.entrySet()) {
      if (e.getValue().isAlive()) {
        return cli(e.getKey(), "CLUSTER", "NODES");
      }
    }
    return "";
  }

  private static String cli(int port, String... args) {
    List<String> command =
        new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
    command.addAll(List.of(args));
    try {
      return run(command, Duration.ofSeconds(10));
    } catch (IOException e) {
      return "";
    }
  }

  private static String run(List<String> command, Duration timeout) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish");
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void pause(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    nodes.values().forEach(Process::destroyForcibly);
    for (Process p : nodes.values()) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
