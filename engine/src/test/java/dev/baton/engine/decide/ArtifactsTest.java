package dev.baton.engine.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.CompletionStatus;
import dev.baton.events.DispatchAction;
import dev.baton.events.JobDispatch;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A job's artifacts: its dispatch says what to upload and what to put in place, the runtime's
 * report carries what it stored (as the reserved output {@code artifact:NAME}), and the next job's
 * dispatch carries that reference.
 */
class ArtifactsTest {
  static final String PIPELINE =
      """
      name: files
      version: 1
      jobs:
        - name: extract
          command: [sh, -c, 'seq 1 3 > "$BATON_ARTIFACTS/out/orders.csv"']
          artifacts: {out: {orders: orders.csv}}
        - name: load
          command: [wc, -l, "$BATON_ARTIFACTS/in/orders"]
          artifacts: {in: {orders: "${jobs.extract.artifacts.orders}"}}
      """;

  static final String REF =
      "{\"uri\":\"s3://b/p/r1/extract/1/orders\",\"size\":6,\"sha256\":\"ab\"}";

  @Test
  void theReferenceAJobStoredIsHandedToTheJobThatReadsIt() {
    Sim sim = new Sim(PIPELINE);
    JobDispatch extract = Sim.dispatches(sim.trigger(), DispatchAction.START).get(0);
    assertEquals(Map.of("orders", "orders.csv"), extract.getArtifactsOut());
    assertEquals(Map.of(), extract.getArtifactsIn());

    Decision done = sim.succeed("extract", Map.of("artifact:orders", REF));
    JobDispatch load = Sim.dispatches(done, DispatchAction.START).get(0);
    assertEquals("load", load.getJob());
    assertEquals(Map.of("orders", REF), load.getArtifactsIn());
    assertEquals(Map.of(), load.getArtifactsOut());
    RunEvent succeeded =
        Sim.events(done).stream()
            .filter(e -> e.getType() == RunEventType.JOB_SUCCEEDED)
            .findFirst()
            .orElseThrow();
    assertEquals(REF, succeeded.getOutputs().get("artifact:orders"), "the event records it");
  }

  @Test
  void aSuccessWithoutItsDeclaredArtifactFailsTheAttempt() {
    Sim sim = new Sim(PIPELINE);
    sim.trigger();
    Decision done = sim.succeed("extract", Map.of());
    RunEvent failed =
        Sim.events(done).stream()
            .filter(e -> e.getType() == RunEventType.JOB_FAILED)
            .findFirst()
            .orElseThrow();
    assertTrue(failed.getDetail().contains("no artifact 'orders' was stored"), failed.getDetail());
    assertTrue(Sim.dispatches(done, DispatchAction.START).isEmpty(), "load never starts");
  }

  static final String LINES =
      """
      name: lines
      version: 1
      jobs:
        - name: make
          command: [sh, -c, 'seq 1 3 > "$BATON_ARTIFACTS/out/list"']
          artifacts: {out: {list: list}}
        - name: each
          dependsOn: [make]
          forEach: jobs.make.artifacts.list
          command: [echo, "${item}"]
      """;

  static final String LIST = "{\"uri\":\"s3://b/p/r1/make/1/list\",\"size\":6,\"sha256\":\"ab\"}";

  @Test
  void aForEachOverAnArtifactReadsItOnceAndStartsAnInstancePerLine() {
    Sim sim = new Sim(LINES);
    sim.artifacts =
        record -> {
          assertEquals(LIST, record, "read by the producer's record");
          return ArtifactItems.parse("a\r\n\nb\nc\n".getBytes(StandardCharsets.UTF_8));
        };
    sim.trigger();
    Decision done = sim.succeed("make", Map.of("artifact:list", LIST));
    assertEquals(1, sim.artifactReads);
    List<JobDispatch> each = Sim.dispatches(done, DispatchAction.START);
    assertEquals(
        List.of("a", "b", "c"),
        each.stream().map(d -> d.getCommand().get(1)).toList(),
        "empty lines and CR are left out");
    assertTrue(done.artifactsToRead().isEmpty());
  }

  @Test
  void anArtifactThatCannotBeReadFailsTheFanOutWithTheReason() {
    Sim sim = new Sim(LINES);
    sim.artifacts =
        record -> ArtifactItems.failed("could not read it from the store at s3://b at http://x");
    sim.trigger();
    Decision done = sim.succeed("make", Map.of("artifact:list", LIST));
    assertEquals(RunStatus.FAILED, done.state().status());
    assertEquals(
        "forEach over artifact 'list' of job 'make': could not read it from the store at s3://b"
            + " at http://x",
        done.state().job("each").error());
    Sim none = new Sim(LINES);
    none.trigger();
    assertTrue(
        none.succeed("make", Map.of("artifact:list", LIST))
            .state()
            .job("each")
            .error()
            .contains("this engine has no artifact store (BATON_ARTIFACT_STORE)"));
  }

  @Test
  void itemsAreBounded() {
    assertEquals(
        List.of("1", "two", "{\"n\":3}"),
        ArtifactItems.parse("[1, \"two\", {\"n\": 3}]".getBytes(StandardCharsets.UTF_8)).items());
    assertTrue(
        ArtifactItems.parse("[1, 2".getBytes(StandardCharsets.UTF_8))
            .error()
            .contains("not a JSON array"));
    assertTrue(ArtifactItems.parse(new byte[] {(byte) 0xff, 'a'}).error().contains("not UTF-8"));
    assertTrue(
        ArtifactItems.parse("x\n".repeat(10_001).getBytes(StandardCharsets.UTF_8))
            .error()
            .contains("holds 10001 items"));
    assertTrue(
        ArtifactItems.parse("y".repeat(70_000).getBytes(StandardCharsets.UTF_8))
            .error()
            .contains("item 0 is 70000 characters long"));
    assertTrue(
        ArtifactItems.parse(new byte[ArtifactItems.MAX_BYTES + 1]).error().contains("bytes"));
  }

  @Test
  void aFanInGetsTheInstancesRecordsInItemOrder() {
    Sim sim =
        new Sim(
            """
            name: fanin
            version: 1
            jobs:
              - name: part
                forEach: "['a', 'b']"
                command: [sh, -c, 'echo "$ITEM" > "$BATON_ARTIFACTS/out/p"']
                artifacts: {out: {part: p}}
              - name: join
                dependsOn: [part]
                command: [ls, "$BATON_ARTIFACTS/in/parts"]
                artifacts: {in: {parts: "${jobs.part.artifacts.part}"}}
            """);
    sim.trigger();
    String r0 = "{\"uri\":\"s3://b/runs/r1/part[0]/1/part\",\"size\":2,\"sha256\":\"00\"}";
    String r1 = "{\"uri\":\"s3://b/runs/r1/part[1]/1/part\",\"size\":2,\"sha256\":\"11\"}";
    sim.complete("part", 1, 1, CompletionStatus.SUCCEEDED, 0, Map.of("artifact:part", r1));
    Decision done =
        sim.complete("part", 0, 1, CompletionStatus.SUCCEEDED, 0, Map.of("artifact:part", r0));
    JobDispatch join = Sim.dispatches(done, DispatchAction.START).get(0);
    assertEquals("join", join.getJob());
    assertEquals(Map.of("parts", "[" + r0 + "," + r1 + "]"), join.getArtifactsIn());
  }

  @Test
  void aReportThatNamesAnotherRunsFileOrAnUndeclaredOneFailsTheAttempt() {
    Sim sim = new Sim(PIPELINE);
    sim.trigger();
    Decision forged =
        sim.succeed(
            "extract",
            Map.of(
                "artifact:orders",
                "{\"uri\":\"s3://b/p/other-run/extract/1/orders\",\"size\":6,\"sha256\":\"ab\"}"));
    assertTrue(
        forged
            .state()
            .job("extract")
            .error()
            .contains("not under this attempt (/r1/extract/1/orders)"),
        forged.state().job("extract").error());
    assertTrue(Sim.dispatches(forged, DispatchAction.START).isEmpty(), "load never starts");

    Sim extra = new Sim(PIPELINE);
    extra.trigger();
    Decision undeclared =
        extra.succeed("extract", Map.of("artifact:orders", REF, "artifact:x", REF));
    assertTrue(
        undeclared.state().job("extract").error().contains("'x', which the job does not declare"),
        undeclared.state().job("extract").error());
  }
}
