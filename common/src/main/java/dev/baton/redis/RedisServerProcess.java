package dev.baton.redis;

import dev.baton.process.Executables;
import dev.baton.process.ProcessTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.embedded.RedisServer;

/**
 * A Redis server process on localhost: {@code redis-server} from PATH when there is one, else the
 * binary that embedded-redis ships. No persistence: dev state lives as long as the process.
 */
public final class RedisServerProcess implements AutoCloseable {
  private final int port;
  private final Process process;
  private final RedisServer embedded;
  private final String kind;

  private RedisServerProcess(int port, Process process, RedisServer embedded, String kind) {
    this.port = port;
    this.process = process;
    this.embedded = embedded;
    this.kind = kind;
  }

  public static RedisServerProcess start(int port) throws IOException {
    return start(port, null);
  }

  /**
   * With {@code dataDir}, Redis keeps an append-only file there (fsync on every write) and a
   * restart on the same directory finds its data again; without, nothing is persisted.
   */
  public static RedisServerProcess start(int port, Path dataDir) throws IOException {
    return start(port, dataDir, List.of());
  }

  /**
   * With {@code extra} arguments for {@code redis-server} (such as {@code --replicaof host port});
   * they need the installed server.
   */
  public static RedisServerProcess start(int port, Path dataDir, List<String> extra)
      throws IOException {
    Path installed = Executables.onPath("redis-server");
    if (installed == null && !extra.isEmpty()) {
      throw new IOException("redis-server is not on PATH; " + extra + " need it");
    }
    RedisServerProcess redis;
    List<String> persistence =
        dataDir == null
            ? List.of("--save", "", "--appendonly", "no")
            : List.of(
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                dataDir.toString());
    if (installed != null) {
      List<String> command = new ArrayList<>(watched());
      command.addAll(
          List.of(installed.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1"));
      command.addAll(persistence);
      command.addAll(extra);
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      redis = new RedisServerProcess(port, p, null, installed.toString());
    } else {
      var builder = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"");
      if (dataDir == null) {
        builder.setting("appendonly no");
      } else {
        builder.setting("appendonly yes").setting("appendfsync always").setting("dir " + dataDir);
      }
      RedisServer server = builder.build();
      server.start();
      redis = new RedisServerProcess(port, null, server, "embedded-redis " + "6.2");
    }
    redis.awaitPing(Duration.ofSeconds(10));
    return redis;
  }

  /**
   * Redis runs in a session of its own, so a Ctrl-C meant for this process does not stop it before
   * the engine has flushed; and a small shell waits beside it and stops it when this process is
   * gone, even after a kill -9, so no Redis is left holding the port. It waits on its sleep with
   * {@code wait}, which a signal interrupts, so a stop is not held up by the sleep in progress.
   */
  private static List<String> watched() {
    Path setsid = Executables.onPath("setsid");
    String script =
        "parent=$1; shift; \"$@\" & r=$!; trap 'kill $r 2>/dev/null; wait $r; exit 0' TERM INT; "
            + "while kill -0 \"$parent\" 2>/dev/null && kill -0 $r 2>/dev/null; do"
            + " sleep 0.5 & wait $!; done; kill $r 2>/dev/null; wait $r";
    List<String> command = new ArrayList<>();
    if (setsid != null) {
      command.add(setsid.toString());
    }
    command.addAll(
        List.of("sh", "-c", script, "baton-redis", Long.toString(ProcessHandle.current().pid())));
    return command;
  }

  private void awaitPing(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      if (process != null && !process.isAlive()) {
        throw new IOException(
            "redis-server exited with code "
                + process.exitValue()
                + " (is port "
                + port
                + " in use?)");
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        OutputStream out = s.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[7];
        if (in.read(buf) > 0 && new String(buf, StandardCharsets.US_ASCII).startsWith("+PONG")) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for Redis", e);
      }
    }
    close();
    throw new IOException(
        "Redis did not answer PING on port " + port + " within " + timeout.toSeconds() + " s",
        last);
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public String kind() {
    return kind;
  }

  /** The server still runs (true for the embedded one, which this cannot watch). */
  public boolean isAlive() {
    return process == null || process.isAlive();
  }

  /** The redis-server process (not the shell that watches it). */
  public List<Long> pids() {
    if (process == null) {
      return List.of();
    }
    List<Long> children = process.toHandle().children().map(ProcessHandle::pid).toList();
    return children.isEmpty() ? List.of(process.pid()) : children;
  }

  @Override
  public void close() {
    if (process != null) {
      ProcessTrees.destroy(process);
    }
    if (embedded != null) {
      try {
        embedded.stop();
      } catch (IOException e) {
        // the process is gone either way
      }
    }
  }
}
