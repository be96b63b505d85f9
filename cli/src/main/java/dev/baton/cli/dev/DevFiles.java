package dev.baton.cli.dev;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** Small file and port helpers of the dev stack. */
public final class DevFiles {
  private DevFiles() {}

  public static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }

  /** True when nothing listens on localhost:port. */
  public static boolean portFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A port nothing listens on now. */
  /**
   * A new directory under the system's temporary directory, named {@code <prefix><pid>-...} after
   * this process, so that {@link #removeLeftovers} can tell whether its owner still runs.
   */
  public static Path ownedTempDirectory(String prefix) throws IOException {
    return Files.createTempDirectory(prefix + ProcessHandle.current().pid() + "-");
  }

  /**
   * Deletes what a {@code baton dev} killed with -9 left behind: directories made by {@link
   * #ownedTempDirectory} with one of {@code prefixes} whose owning process is gone. Returns how
   * many it deleted.
   */
  public static int removeLeftovers(String... prefixes) {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    int removed = 0;
    try (var entries = Files.list(tmp)) {
      for (Path dir : entries.filter(Files::isDirectory).toList()) {
        String name = dir.getFileName().toString();
        for (String prefix : prefixes) {
          if (!name.startsWith(prefix)) {
            continue;
          }
          String rest = name.substring(prefix.length());
          int dash = rest.indexOf('-');
          if (dash > 0 && rest.substring(0, dash).chars().allMatch(Character::isDigit)) {
            long pid = Long.parseLong(rest.substring(0, dash));
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
              continue;
            }
            deleteTree(dir);
            removed++;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // best effort: a leftover we cannot read stays
    }
    return removed;
  }

  /** Where {@link #freePort} looks: below Linux's ephemeral range (32768 and up by default). */
  static final int FIRST_PORT = 20_000;

  static final int PORTS = 12_000;

  /**
   * The next port to try. The test JVMs of one build (forks numbered by {@code baton.test.fork})
   * start 3,000 apart, so they never walk into each other's ports; any other JVM starts elsewhere
   * in the range, by its pid.
   */
  private static final AtomicInteger NEXT = new AtomicInteger(firstOffset());

  private static int firstOffset() {
    String fork = System.getProperty("baton.test.fork", "");
    if (fork.matches("[1-9][0-9]?")) {
      return (Integer.parseInt(fork) - 1) * 3_000 % PORTS;
    }
    return (int) (ProcessHandle.current().pid() * 97 % PORTS);
  }

  /**
   * A port free now on 127.0.0.1, never the same twice in this JVM, and outside the ephemeral
   * range: a port the OS hands out for port 0 may be given, before the caller binds it, to the
   * local side of any connection being opened (`baton dev` failed to start once so: "Address
   * already in use").
   */
  public static int freePort() {
    for (int tries = 0; tries < PORTS; tries++) {
      int port = FIRST_PORT + Math.floorMod(NEXT.getAndIncrement(), PORTS);
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // someone listens there: the next one
      }
    }
    throw new IllegalStateException(
        "no free port between " + FIRST_PORT + " and " + (FIRST_PORT + PORTS - 1));
  }
}
