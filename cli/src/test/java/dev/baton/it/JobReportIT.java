package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.artifacts.S3ArtifactStore;
import dev.baton.cli.dev.DevFiles;
import dev.baton.cli.dev.LocalS3;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.kafka.TopicAdmin;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.EventCodec;
import dev.baton.serde.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job reports its own completion from the BATON_* environment of its pod: with `baton report`,
 * and with the kcat recipe.
 */
class JobReportIT {
  static final Topics TOPICS = Topics.withPrefix("rep");
  @TempDir static Path work;

  @BeforeAll
  static void topics() {
    TopicAdmin.ensureTopics(
        SharedBroker.bootstrapServers(), TOPICS, 1, (short) 1, java.util.Map.of());
  }

  static Map<String, String> podEnv(String runId, String job) {
    return Map.of(
        "BATON_RUN_ID",
        runId,
        "BATON_JOB",
        job,
        "BATON_ATTEMPT",
        "2",
        "BATON_ITEM_INDEX",
        "5",
        "BATON_BOOTSTRAP_SERVERS",
        SharedBroker.bootstrapServers(),
        "BATON_COMPLETIONS_TOPIC",
        TOPICS.completions(),
        "BATON_OUTPUTS",
        work.resolve(runId + "-outputs").toString(),
        AttemptTokens.TOKEN_VARIABLE,
        AttemptTokens.processDefault().forJob(runId + "/" + job + "[5]/2"));
  }

  /** The report carries the job's token, which the engine accepts as the job's own. */
  static void signedByTheJob(JobCompletion c) {
    assertEquals(
        Optional.of(AttemptTokens.Signer.JOB),
        AttemptTokens.processDefault().verify(AttemptTokens.attemptId(c), c.getToken()));
  }

  static int run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), output);
    return p.exitValue();
  }

  static JobCompletion reported(String runId) {
    return new TopicReaderOnce(SharedBroker.bootstrapServers(), TOPICS.completions())
        .values().stream()
            .map(v -> EventCodec.of(JobCompletion.class).decode(v))
            .filter(c -> c.getRunId().equals(runId))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no completion of " + runId));
  }

  @Test
  void batonReportRunsTheCommandAndPublishesItsCompletion() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    int exit =
        run(
            List.of(
                java,
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.baton.events",
                "-cp",
                classpath,
                "dev.baton.cli.BatonCli",
                "report",
                "--",
                "sh",
                "-c",
                "echo rows=42 > \"$BATON_OUTPUTS\"; exit 3"),
            podEnv("rep-java", "load"));
    assertEquals(3, exit, "the wrapper exits with the job's code");
    JobCompletion c = reported("rep-java");
    assertEquals("load", c.getJob());
    assertEquals(2, c.getAttempt());
    assertEquals(5, c.getItem());
    assertEquals(CompletionStatus.FAILED, c.getStatus());
    assertEquals(3, c.getExitCode());
    assertEquals(Map.of("rows", "42"), c.getOutputs());
    signedByTheJob(c);
  }

  @Test
  void kcatRecipePublishesACompletionTheEngineReads() throws Exception {
    int exit =
        run(
            List.of(
                "sh",
                "../k8s/job-image/baton-report.sh",
                "sh",
                "-c",
                "printf 'rows=42\\nnote=say \"hi\"\\n' > \"$BATON_OUTPUTS\""),
            podEnv("rep-kcat", "extract"));
    assertEquals(0, exit);
    JobCompletion c = reported("rep-kcat");
    assertEquals(CompletionStatus.SUCCEEDED, c.getStatus());
    assertEquals(Map.of("rows", "42", "note", "say \"hi\""), c.getOutputs());
    assertEquals(5, c.getItem());
    signedByTheJob(c);
  }

  /**
   * Both wrappers move a pod's artifacts through presigned URLs alone (s3proxy here): the input is
   * fetched and checked before the command, the output stored after it and reported with its hash.
   * A link as an output stores nothing and fails the attempt.
   */
  @Test
  void bothWrappersMoveArtifactsThroughPresignedUrls() throws Exception {
    try (LocalS3 s3 = LocalS3.start(work.resolve("s3"), DevFiles.freePort(), "artifacts");
        S3ArtifactStore store = new S3ArtifactStore(s3.settings())) {
      Path source = work.resolve("source.txt");
      Files.writeString(source, "one\ntwo\n");
      store.put("runs/up/make/1/data", source);
      String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      String classpath =
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      List<List<String>> wrappers =
          List.of(
              List.of("sh", "../k8s/job-image/baton-report.sh"),
              List.of(
                  javaBin,
                  "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.baton.events",
                  "-cp",
                  classpath,
                  "dev.baton.cli.BatonCli",
                  "report",
                  "--"));
      for (int w = 0; w < wrappers.size(); w++) {
        String runId = "rep-files-" + w;
        String realSha = sha256(source);
        Map<String, String> env = new java.util.HashMap<>(podEnv(runId, "copy"));
        env.put("BATON_ATTEMPT_ID", runId + "/copy[5]/2");
        env.put("BATON_ARTIFACTS", work.resolve(runId + "-artifacts").toString());
        env.put(
            "BATON_ARTIFACT_URLS",
            String.join(
                    "\t",
                    "in",
                    "data",
                    "8",
                    realSha,
                    store.presign("GET", "runs/up/make/1/data", java.time.Duration.ofMinutes(5)))
                + "\n"
                + String.join(
                    "\t",
                    "out",
                    "copy",
                    "sub/copy.txt",
                    "s3://artifacts/runs/" + runId + "/copy[5]/2/copy",
                    store.presign(
                        "PUT",
                        "runs/" + runId + "/copy[5]/2/copy",
                        java.time.Duration.ofMinutes(5)))
                + "\n");
        List<String> command = new java.util.ArrayList<>(wrappers.get(w));
        command.addAll(
            List.of(
                "sh",
                "-c",
                "mkdir -p \"$BATON_ARTIFACTS/out/sub\"; tr a-z A-Z < \"$BATON_ARTIFACTS/in/data\" > \"$BATON_ARTIFACTS/out/sub/copy.txt\""));
        assertEquals(0, run(command, env), "wrapper " + command.get(0));
        JobCompletion c = reported(runId);
        assertEquals(CompletionStatus.SUCCEEDED, c.getStatus(), String.valueOf(c.getErrorTail()));
        var record =
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(c.getOutputs().get("artifact:copy"));
        assertEquals(
            "s3://artifacts/runs/" + runId + "/copy[5]/2/copy", record.get("uri").asText());
        assertEquals(8, record.get("size").asLong());
        assertEquals(runId + "/copy[5]/2", record.get("attempt").asText());
        Path back = work.resolve(runId + "-back");
        store.get("runs/" + runId + "/copy[5]/2/copy", back);
        assertEquals("ONE\nTWO\n", Files.readString(back), "the job's file is in the store");
        assertEquals(sha256(back), record.get("sha256").asText());

        // A link to a file outside: nothing stored, the attempt fails.
        String linkRun = "rep-link-" + w;
        Map<String, String> linkEnv = new java.util.HashMap<>(podEnv(linkRun, "copy"));
        linkEnv.put("BATON_ARTIFACTS", work.resolve(linkRun + "-artifacts").toString());
        linkEnv.put(
            "BATON_ARTIFACT_URLS",
            String.join(
                    "\t",
                    "out",
                    "copy",
                    "copy.txt",
                    "s3://artifacts/runs/" + linkRun + "/copy",
                    store.presign(
                        "PUT", "runs/" + linkRun + "/copy", java.time.Duration.ofMinutes(5)))
                + "\n");
        List<String> link = new java.util.ArrayList<>(wrappers.get(w));
        link.addAll(List.of("sh", "-c", "ln -s /etc/passwd \"$BATON_ARTIFACTS/out/copy.txt\""));
        assertTrue(run(link, linkEnv) != 0);
        JobCompletion refused = reported(linkRun);
        assertEquals(CompletionStatus.FAILED, refused.getStatus());
        assertTrue(refused.getErrorTail().contains("a link is refused"), refused.getErrorTail());
        assertTrue(store.keys("runs/" + linkRun).isEmpty(), "nothing stored");
      }
    }
  }

  static String sha256(Path file) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
