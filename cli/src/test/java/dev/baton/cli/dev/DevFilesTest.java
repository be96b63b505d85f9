package dev.baton.cli.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DevFilesTest {
  @Test
  void freePortsAreOutsideTheEphemeralRangeNeverRepeatedAndSkipTakenOnes() throws Exception {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int port = DevFiles.freePort();
      assertTrue(
          port >= DevFiles.FIRST_PORT && port < DevFiles.FIRST_PORT + DevFiles.PORTS,
          "below the ephemeral range: " + port);
      assertTrue(seen.add(port), "given once: " + port);
    }
    int next = DevFiles.freePort() + 1; // the port the next call tries first
    if (next + 1 < DevFiles.FIRST_PORT + DevFiles.PORTS) { // not where the range wraps
      try (ServerSocket taken = new ServerSocket(next, 1, InetAddress.getLoopbackAddress())) {
        assertEquals(next + 1, DevFiles.freePort(), "a port someone listens on is skipped");
      }
    }
  }
}
