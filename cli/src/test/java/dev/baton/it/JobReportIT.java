package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.kafka.TopicAdmin;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.EventCodec;
import dev.baton.serde.Topics;
import java.nio.charset.StandardCharsets;
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
}
