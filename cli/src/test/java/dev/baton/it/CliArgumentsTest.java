package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.BatonCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad arguments print usage and a reason, never a stack trace; bad templates are refused before
 * anything is published.
 */
class CliArgumentsTest {
  static String[] run(int[] exit, String... args) {
    StringWriter out = new StringWriter();
    exit[0] = BatonCli.execute(args, new PrintWriter(out, true), new PrintWriter(out, true));
    return new String[] {out.toString()};
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "run",
        "status",
        "bogus",
        "run hello --timeout soon --wait",
        "templates apply",
        "run hello -p"
      })
  void badArgumentsPrintUsageNotAStackTrace(String line) {
    int[] exit = new int[1];
    String out = run(exit, line.split(" "))[0];
    assertEquals(2, exit[0], out);
    assertTrue(out.contains("Usage: baton"), out);
    assertFalse(out.contains("\tat "), out);
  }

  @Test
  void severalFilesAreValidatedTogether() {
    int[] exit = new int[1];
    String out =
        run(exit, "templates", "validate", "../templates/hello.yaml", "../templates/pipeline.yaml")[
            0];
    assertEquals(0, exit[0], out);
    assertTrue(out.contains("ok hello v1") && out.contains("ok pipeline v1"), out);
  }

  @Test
  void applyRefusesInvalidTemplateWithFileLineAndField(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("good.yaml"),
        "name: good\nversion: 1\njobs:\n  - name: a\n    command: [echo]\n");
    Files.writeString(
        dir.resolve("bad.yaml"),
        "name: bad\nversion: 1\njobs:\n  - name: a\n    command: [echo, \"${params.nope}\"]\n");
    int[] exit = new int[1];
    // No broker at this address: a refused apply must not even try to publish.
    String out =
        run(exit, "templates", "apply", dir.toString(), "--bootstrap-server", "127.0.0.1:1")[0];
    assertEquals(1, exit[0], out);
    assertTrue(out.contains("refused, nothing applied"), out);
    assertTrue(out.contains("bad.yaml:5: jobs[0].command[1]: unknown parameter 'nope'"), out);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--from 2026-11-30 --to 2026-11-01|--to (2026-11-01T23:59:59.999Z) is before --from",
        "--from 2026-11-30T06:00:00Z --to 2026-11-01T06:00:00Z|is before --from",
        "--from 2026-13-01 --to 2026-11-01|--from must be a date (2026-11-01) or an instant",
        "--from 2026-11-01 --to yesterday|--to must be a date"
      })
  void backfillRefusesABadRangeBeforeReadingAnything(String line) {
    String[] parts = line.split("\\|");
    int[] exit = new int[1];
    // No broker at this address: the range is refused without trying to read the templates.
    String[] args = ("backfill nightly " + parts[0] + " --bootstrap-server 127.0.0.1:1").split(" ");
    String out = run(exit, args)[0];
    assertEquals(2, exit[0], out);
    assertTrue(out.contains(parts[1]), out);
    assertTrue(out.contains("Usage: baton backfill"), out);
    assertFalse(out.contains("\tat "), out);
  }

  @Test
  void validateAcceptsTheExampleTemplates() {
    int[] exit = new int[1];
    String out = run(exit, "templates", "validate", "../templates")[0];
    assertEquals(0, exit[0], out);
    assertTrue(out.contains("ok pipeline v1"), out);
  }

  @Test
  void statusWithNoRedisThereSaysHowToPointAtOne() {
    int[] exit = new int[1];
    String out =
        run(
            exit,
            "status",
            "some-run",
            "--redis",
            "redis://127.0.0.1:" + dev.baton.cli.dev.DevFiles.freePort())[0];
    assertEquals(2, exit[0], out);
    assertTrue(out.contains("BATON_REDIS_URL") && out.contains("--redis-port"), out);
    assertFalse(out.contains("\tat "), out);
  }
}
