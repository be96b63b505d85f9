package dev.baton.dispatcher.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.DispatchAction;
import dev.baton.events.JobDispatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the runtime checks before it talks to a store. */
class ArtifactTransfersTest {
  @TempDir Path dir;

  static JobDispatch dispatch(String runId, Map<String, String> in, Map<String, String> out) {
    return JobDispatch.newBuilder()
        .setEventId("e")
        .setRunId(runId)
        .setOccurredAt(Instant.EPOCH)
        .setAction(DispatchAction.START)
        .setTemplate("t")
        .setTemplateVersion(1)
        .setJob("make")
        .setAttempt(2)
        .setAttemptId(runId + "/make/2")
        .setCommand(List.of("true"))
        .setEnv(Map.of())
        .setArtifactsIn(in)
        .setArtifactsOut(out)
        .build();
  }

  @Test
  void aRunIdWithASlashStaysOneSegmentOfTheStorePath() {
    assertEquals(
        "orders%2F2026/make/2",
        ArtifactTransfers.attemptPath(dispatch("orders/2026", Map.of(), Map.of())));
  }

  @Test
  void withoutAStoreAJobWithArtifactsFailsSayingHowToSetOne() {
    JobDispatch d = dispatch("r", Map.of(), Map.of("data", "data.csv"));
    assertTrue(ArtifactTransfers.declares(d));
    var e =
        assertThrows(
            ArtifactTransfers.TransferException.class,
            () -> ArtifactTransfers.none().prepare(d, dir));
    assertTrue(e.getMessage().contains("BATON_ARTIFACT_STORE=s3://bucket/prefix"), e.getMessage());
    assertEquals(false, ArtifactTransfers.declares(dispatch("r", Map.of(), Map.of())));
  }

  @Test
  void theDigestIsTheFilesSizeAndSha256() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty"));
    var d = ArtifactTransfers.digest(empty, "empty");
    assertEquals(0, d.size());
    assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", d.sha256());
  }
}
