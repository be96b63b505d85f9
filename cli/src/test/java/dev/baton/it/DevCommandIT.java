package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.BatonCli;
import dev.baton.cli.dev.DevFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * README's first command: `baton dev` brings up its own broker and Redis and runs the example
 * pipeline.
 */
class DevCommandIT {

  @Test
  void devStartsEverythingAndRunsTheExamplePipeline() {
    StringWriter out = new StringWriter();
    int exit =
        BatonCli.execute(
            new String[] {
              "dev",
              "--kafka-port",
              Integer.toString(DevFiles.freePort()),
              "--controller-port",
              Integer.toString(DevFiles.freePort()),
              "--redis-port",
              Integer.toString(DevFiles.freePort()),
              "--http-port",
              Integer.toString(DevFiles.freePort()),
              "--templates",
              "../templates",
              "--exit-after-example"
            },
            new PrintWriter(out, true),
            new PrintWriter(out, true));
    String text = out.toString();
    assertEquals(0, exit, text);
    assertTrue(text.contains("Baton dev is up"), text);
    assertTrue(
        text.contains("hello v1") && text.contains("pipeline v1") && text.contains("fan-out v1"),
        text);
    int extract = text.indexOf("extract      #1  succeeded  records=21");
    int load = text.indexOf("load         #1  succeeded  summary=loaded 42 rows from orders.csv");
    assertTrue(extract > 0 && load > extract, text);
    assertTrue(text.contains("SUCCEEDED"), text);
  }

  @Test
  void devRefusesABusyPortWithAClearMessage() throws Exception {
    try (java.net.ServerSocket busy =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      StringWriter out = new StringWriter();
      int exit =
          BatonCli.execute(
              new String[] {
                "dev",
                "--kafka-port",
                Integer.toString(busy.getLocalPort()),
                "--templates",
                "../templates",
                "--exit-after-example"
              },
              new PrintWriter(out, true),
              new PrintWriter(out, true));
      assertEquals(2, exit, out.toString());
      assertTrue(
          out.toString().contains("port " + busy.getLocalPort() + " is in use"), out.toString());
    }
  }
}
