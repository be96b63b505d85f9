package dev.baton.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.JobStatus;
import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import dev.baton.security.AttemptTokens;
import dev.baton.security.CommandSignatures;
import dev.baton.serde.EventCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Commands only the engine writes are refused unsigned, and a person's command cannot take the id
 * of another event.
 */
class ForgedCommandsTest {
  final TopologyFixture f = new TopologyFixture();

  @AfterEach
  void close() {
    f.close();
  }

  void storeWait() {
    f.store(
        """
        name: waits
        version: 1
        jobs:
          - name: w
            wait:
              event: {topic: orders, key: event.id, match: "k", outputs: {n: event.n}}
          - {name: after, command: ["true"]}
        """);
  }

  static String json(RunCommand c) {
    return new String(EventCodec.of(RunCommand.class).encode(c), StandardCharsets.UTF_8);
  }

  static RunCommand deliver(String runId, String value) {
    return RunCommand.newBuilder()
        .setEventId("deliver:orders:x:" + runId + "/w/1")
        .setRunId(runId)
        .setType(RunCommandType.DELIVER)
        .setJob("w")
        .setAttempt(1)
        .setValues(Map.of("n", value))
        .setSource("orders:x")
        .build();
  }

  @Test
  void aDeliverWithoutTheEnginesSignatureIsRefusedAndTheWaitGoesOn() {
    storeWait();
    f.trigger("c5", "waits");
    f.commands.pipeInput("c5", json(deliver("c5", "FORGED-BY-ATTACKER")));
    List<String> reasons = f.deadLetterReasons();
    assertEquals(1, reasons.size(), reasons.toString());
    assertTrue(reasons.get(0).startsWith("refused command DELIVER for run 'c5'"), reasons.get(0));
    assertEquals(JobStatus.RUNNING, f.runs.states.get("c5").job("w").status());

    // Changed after signing: refused too.
    RunCommand changed =
        CommandSignatures.signed(deliver("c5", "1"), AttemptTokens.processDefault());
    changed.setValues(Map.of("n", "2"));
    f.commands.pipeInput("c5", json(changed));
    assertEquals(1, f.deadLetterReasons().size());

    // The engine's own is applied.
    f.commands.pipeInput(
        "c5", json(CommandSignatures.signed(deliver("c5", "7"), AttemptTokens.processDefault())));
    assertEquals("7", f.runs.states.get("c5").job("w").outputs().get("n"));
  }

  @Test
  void anAdmitOrLookupWithoutTheEnginesSignatureIsRefused() {
    f.store(
        """
        name: one
        version: 1
        jobs:
          - {name: a, command: ["true"]}
        """);
    f.trigger("ad1", "one");
    f.commands.pipeInput("ad1", "{\"runId\":\"ad1\",\"type\":\"ADMIT\",\"eventId\":\"admit:ad1\"}");
    f.commands.pipeInput(
        "ad1",
        "{\"runId\":\"ad1\",\"type\":\"CACHE_LOOKUP\",\"job\":\"a\",\"attempt\":1,\"eventId\":\"x\"}");
    List<String> reasons = f.deadLetterReasons();
    assertEquals(2, reasons.size(), reasons.toString());
    assertTrue(reasons.get(0).startsWith("refused command ADMIT"), reasons.get(0));
    assertTrue(reasons.get(1).startsWith("refused command CACHE_LOOKUP"), reasons.get(1));
  }

  @Test
  void aPersonsCommandCannotTakeACompletionsId() {
    f.store(
        """
        name: two
        version: 1
        jobs:
          - {name: a, command: ["true"]}
          - {name: b, command: ["true"]}
        """);
    f.trigger("ps5", "two");
    f.complete("ps5", "a", null, 1, "SUCCEEDED");
    f.commands.pipeInput("ps5", "{\"runId\":\"ps5\",\"type\":\"PAUSE\",\"eventId\":\"ps5/b/1\"}");
    f.commands.pipeInput("ps5", "{\"runId\":\"ps5\",\"type\":\"RESUME\",\"eventId\":\"ps5/b/1\"}");
    assertTrue(f.deadLetterReasons().isEmpty());
    f.complete("ps5", "b", null, 1, "SUCCEEDED");
    assertEquals(JobStatus.SUCCEEDED, f.runs.states.get("ps5").job("b").status());
    assertEquals(dev.baton.engine.decide.RunStatus.SUCCEEDED, f.runs.states.get("ps5").status());
  }
}
