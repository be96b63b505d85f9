package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.BatonCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short chaos run of docs/reliability.md: 300 runs across separate broker, Redis, engine and
 * dispatcher processes, with one engine kill -9, one dispatcher kill -9, a broker away for 15 s
 * (past the dispatchers' delivery timeout) and a Redis restart while they flow, 5 % of runtime
 * starts refused once, and 10 % of the runs sending reports and commands with kcat's default
 * partitioner. Nothing lost, stuck, failed or executed twice. Its own processes: the faults are
 * kills and restarts of whole processes, the shared broker and Redis cannot be taken away.
 */
class ChaosIT {
  @TempDir Path work;

  @Test
  void shortChaosRunLosesNothingAndRunsNothingTwice() {
    StringWriter out = new StringWriter();
    int exit =
        BatonCli.execute(
            new String[] {
              "chaos",
              "--runs",
              "300",
              "--engine-kills",
              "1",
              "--dispatcher-kills",
              "1",
              "--broker-restarts",
              "1",
              "--redis-restarts",
              "1",
              "--broker-outage",
              "15",
              "--grace",
              "90",
              "--work",
              work.toString()
            },
            new PrintWriter(out, true),
            new PrintWriter(out, true));
    String text = out.toString();
    System.out.println(text);
    assertEquals(0, exit, text);
    assertTrue(text.contains("succeeded               300"), text);
    assertTrue(text.contains("executed twice          0"), text);
    assertTrue(text.contains("faults injected         4"), text);
    assertTrue(text.contains("broker outage 15 s (dispatcher delivery timeout 10 s)"), text);
    var pairs =
        java.util.regex.Pattern.compile("kcat traffic            (\\d+) PAUSE").matcher(text);
    assertTrue(pairs.find() && Long.parseLong(pairs.group(1)) > 0, "kcat sent commands: " + text);
    var refused = java.util.regex.Pattern.compile("runtime starts refused  (\\d+)").matcher(text);
    assertTrue(
        refused.find() && Long.parseLong(refused.group(1)) > 0,
        "some runtime starts were refused: " + text);
  }
}
