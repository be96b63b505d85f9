package dev.baton.cli;

import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.Waiting;
import dev.baton.events.RunCommandType;
import dev.baton.serde.CommandRequests;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton approve} and {@code baton reject}: a person's decision on a step waiting for
 * approval. Refused (exit 1, nothing sent) when the step is not waiting or an input is not
 * declared.
 */
abstract class ApprovalCmd implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin KafkaOptions kafka;
  @Mixin RedisOptions redis;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Parameters(index = "1", paramLabel = "JOB", description = "The step waiting for approval")
  String job;

  @Option(
      names = {"-p", "--input"},
      paramLabel = "NAME=VALUE",
      description = "An input the approval step declares (repeatable)")
  Map<String, String> inputs = new LinkedHashMap<>();

  @Option(names = "--reason", paramLabel = "TEXT")
  String reason;

  @Option(
      names = "--by",
      paramLabel = "NAME",
      defaultValue = "${env:USER:-cli}",
      description = "Who decides (default: $USER)")
  String by;

  @Option(
      names = "--attempt",
      paramLabel = "N",
      description = "The attempt answered (default: the one waiting now)")
  Integer attempt;

  abstract RunCommandType type();

  /** The attempt answered: the one given, else the one waiting now (-1 when none is). */
  private int answered(RunState run) {
    Integer waiting = attempt != null ? attempt : Waiting.waitingAttempt(run, job);
    return waiting == null ? -1 : waiting;
  }

  @Override
  public Integer call() {
    String verb = type() == RunCommandType.APPROVE ? "approval" : "rejection";
    return RunControl.send(
        spec,
        kafka,
        redis,
        runId,
        run -> Waiting.approvalRefused(run, job, answered(run), inputs),
        run -> CommandRequests.decision(runId, type(), job, answered(run), inputs, reason, by),
        verb + " of " + job + " sent for " + runId);
  }

  @Command(
      name = "approve",
      description =
          "Approve a step waiting for approval; its inputs (-p name=value) become its outputs.",
      mixinStandardHelpOptions = true)
  static final class Approve extends ApprovalCmd {
    @Override
    RunCommandType type() {
      return RunCommandType.APPROVE;
    }
  }

  @Command(
      name = "reject",
      description = "Reject a step waiting for approval: the job fails for good (no retry).",
      mixinStandardHelpOptions = true)
  static final class Reject extends ApprovalCmd {
    @Override
    RunCommandType type() {
      return RunCommandType.REJECT;
    }
  }
}
