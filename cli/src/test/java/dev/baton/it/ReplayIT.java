package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.RunStatus;
import dev.baton.events.RunEventType;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code baton replay} over a real broker and processes: a fan-out of 1,000 instances, 20 of which
 * fail once and are retried, replayed from its records reproduces every decision; with a changed
 * template (version 2 runs 8 instances at once, not 16) it shows the first decision that differs.
 */
class ReplayIT {
  static BatonHarness baton;
  @TempDir static Path work;

  static String template(int version, int maxParallel) {
    return """
        name: replayed
        version: %d
        params: {count: {default: "1000"}}
        jobs:
          - name: list
            command: [sh, -c, 'printf "{\\"items\\": [%%s]}" "$(seq -s, 0 $((count - 1)))" > "$BATON_OUTPUTS"']
            outputs: [items]
          - name: each
            forEach: jobs.list.outputs.items
            maxParallel: %d
            retry: {limit: 1, backoff: {initial: 50ms}}
            command: [sh, -c, '[ $((ITEM %% 50)) -ne 7 ] || [ "$BATON_ATTEMPT" -ge 2 ] || exit 3; echo "n=$ITEM" >> "$BATON_OUTPUTS"']
            env: {ITEM: "${item}"}
            outputs: [n]
          - name: sum
            command: ["true"]
            dependsOn: [each]
        """
        .formatted(version, maxParallel);
  }

  @BeforeAll
  static void start() throws Exception {
    baton = new BatonHarness("replay", work, null, 16);
    baton.apply("replayed.yaml", template(1, 16));
  }

  @AfterAll
  static void stop() {
    baton.close();
  }

  @Test
  void aFanOutOfAThousandWithRetriesReplaysExactlyAndAChangedTemplateShowsTheFirstDifference()
      throws Exception {
    baton.trigger("rp-1", "replayed", Map.of());
    assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("rp-1").status());
    assertEquals(20, baton.count("rp-1", RunEventType.JOB_RETRYING, "each"), "20 retried");

    StringWriter out = new StringWriter();
    assertEquals(0, baton.cli(out, "replay", "rp-1"), out.toString());
    assertTrue(out.toString().contains("every decision reproduced"), out.toString());
    assertTrue(
        out.toString().matches("(?s).*run rp-1: \\d{4} input records, \\d{4} decisions replayed.*"),
        out.toString());

    // An event on the run's topic that no decision explains: the replay says so, and fails.
    baton.send(
        baton.topics.events(),
        "rp-1",
        "{\"eventId\":\"rp-1/forged\",\"runId\":\"rp-1\",\"occurredAt\":1,"
            + "\"type\":\"JOB_SUCCEEDED\",\"job\":\"list\",\"attempt\":9}");
    StringWriter forged = new StringWriter();
    assertEquals(1, baton.cli(forged, "replay", "rp-1"), forged.toString());
    assertTrue(
        forged.toString().contains("1 recorded event(s) no replayed decision emitted"),
        forged.toString());
    assertFalse(forged.toString().contains("every decision reproduced:"), forged.toString());

    baton.apply("replayed-2.yaml", template(2, 8));
    StringWriter changed = new StringWriter();
    assertEquals(
        1, baton.cli(changed, "replay", "rp-1", "--template-version", "2"), changed.toString());
    String text = changed.toString();
    java.nio.file.Files.writeString(Path.of("target/replay-output.txt"), text);
    assertTrue(text.contains("with template version 2"), text);
    assertTrue(text.matches("(?s).*\\d+ decision\\(s\\) differ; the first at #\\d+ .*"), text);
    // the first to differ: list's completion, after which version 2 dispatches 8 instances, not 16
    String first = text.substring(text.indexOf("\n#") + 1);
    assertTrue(first.substring(0, first.indexOf('\n')).contains(" rp-1/list/1  DIFFERS"), text);
    assertTrue(
        first.contains(
            "the engine recorded JOB_DISPATCHED each[8] #1 here; replay does not emit it here"),
        text);

    StringWriter unknown = new StringWriter();
    assertEquals(
        2, baton.cli(unknown, "replay", "no-such-run", "--since", "1h"), unknown.toString());
    assertTrue(unknown.toString().contains("no trigger of run 'no-such-run'"), unknown.toString());
  }
}
