package dev.baton.cli;

import dev.baton.dispatcher.CompletionPublisher;
import dev.baton.dispatcher.local.OutputsFile;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.kafka.KafkaProperties;
import dev.baton.security.AttemptTokens;
import dev.baton.security.Secrets;
import dev.baton.serde.Wire;
import dev.baton.tracing.Traceparent;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton report}: a job reports its own completion from inside its pod, from the {@code
 * BATON_*} variables the pod was given. Either report an exit code the job already has, or run the
 * job's command (no shell) and report how it ended.
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = "Publish this job's completion (inside a job: uses the BATON_* environment).",
    footer = {
      "",
      "Examples:",
      "  baton report --exit-code 0",
      "  baton report -- python train.py --epochs 3"
    })
final class ReportCmd implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--exit-code",
      paramLabel = "N",
      description = "The job's exit code (when not running a command)")
  Integer exitCode;

  @Parameters(
      paramLabel = "COMMAND",
      arity = "0..*",
      description = "The job's argv, run without a shell, then reported")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    if ((exitCode == null) == command.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "give either --exit-code N or -- COMMAND...");
    }
    requireJobEnvironment(env);
    Instant started = Instant.now();
    // A pod's artifacts: inputs in place before the command, outputs stored after a success.
    PodArtifacts artifacts = PodArtifacts.fromEnv(env);
    String failure = artifacts == null ? null : artifacts.fetchInputs();
    int exit =
        failure != null
            ? 0
            : exitCode != null
                ? exitCode
                : new ProcessBuilder(command).inheritIO().start().waitFor();
    Map<String, String> stored = new LinkedHashMap<>();
    if (failure == null && exit == 0 && artifacts != null) {
      failure = artifacts.storeOutputs(stored);
    }
    JobCompletion completion =
        completion(env, exit, exitCode == null ? started : null, stored, failure);
    String token = env.get(AttemptTokens.TOKEN_VARIABLE);
    try (CompletionPublisher publisher =
        new CompletionPublisher(
            env.get("BATON_BOOTSTRAP_SERVERS"),
            env.get("BATON_COMPLETIONS_TOPIC"),
            KafkaProperties.fromEnv(env),
            Wire.of(
                env.get("BATON_ENCODING"),
                env.get("BATON_REGISTRY_URL"),
                env.get("BATON_REGISTRY_USER_INFO")),
            c -> token,
            c -> Traceparent.parse(env.get(Traceparent.VARIABLE)))) {
      // Kafka retries within its delivery timeout; past that the job fails, and its pod's watcher
      // reports how the pod ended.
      publisher.publish(completion).get(3, TimeUnit.MINUTES);
    }
    if (failure != null) {
      System.err.println("baton report: " + failure);
      return exit == 0 ? 1 : exit;
    }
    return exit;
  }

  private static void requireJobEnvironment(Map<String, String> env) {
    for (String required :
        List.of(
            "BATON_RUN_ID",
            "BATON_JOB",
            "BATON_ATTEMPT",
            "BATON_BOOTSTRAP_SERVERS",
            "BATON_COMPLETIONS_TOPIC",
            AttemptTokens.TOKEN_VARIABLE)) {
      if (env.get(required) == null) {
        throw new IllegalStateException(
            required + " is not set: `baton report` runs inside a job started by Baton");
      }
    }
  }

  /**
   * The attempt's completion: its exit, its outputs file (a bad one fails the job), secrets masked.
   */
  private static JobCompletion completion(
      Map<String, String> env,
      int exit,
      Instant startedAt,
      Map<String, String> stored,
      String failure)
      throws IOException {
    Map<String, String> outputs = Map.of();
    String error = failure;
    CompletionStatus status =
        exit == 0 && failure == null ? CompletionStatus.SUCCEEDED : CompletionStatus.FAILED;
    if (failure != null) {
      stored = Map.of();
    } else if (env.get("BATON_OUTPUTS") != null) {
      try {
        outputs = OutputsFile.read(Path.of(env.get("BATON_OUTPUTS")));
      } catch (IllegalArgumentException e) {
        status = CompletionStatus.FAILED;
        error = e.getMessage();
      }
    }
    // The job's secret variables (named by the dispatcher in BATON_SECRET_ENV) never leave the pod
    // in its outputs.
    List<String> secrets =
        env.getOrDefault(Secrets.SECRET_ENV_NAMES, "").isBlank()
            ? List.of()
            : Arrays.stream(env.get(Secrets.SECRET_ENV_NAMES).split(","))
                .map(env::get)
                .filter(Objects::nonNull)
                .toList();
    return JobCompletion.newBuilder()
        .setRunId(env.get("BATON_RUN_ID"))
        .setOccurredAt(Instant.now())
        .setJob(env.get("BATON_JOB"))
        .setAttempt(Integer.parseInt(env.get("BATON_ATTEMPT")))
        .setItem(
            env.get("BATON_ITEM_INDEX") == null
                ? null
                : Integer.valueOf(env.get("BATON_ITEM_INDEX")))
        .setStatus(status)
        .setExitCode(exit)
        .setOutputs(
            withStored(
                Secrets.mask(outputs, secrets),
                status == CompletionStatus.SUCCEEDED ? stored : Map.of()))
        .setErrorTail(Secrets.mask(error, secrets))
        .setStartedAt(startedAt)
        .setEndedAt(Instant.now())
        .setReporter("job")
        .build();
  }

  private static Map<String, String> withStored(
      Map<String, String> outputs, Map<String, String> stored) {
    Map<String, String> all = new LinkedHashMap<>(stored);
    all.putAll(outputs);
    return all;
  }
}
