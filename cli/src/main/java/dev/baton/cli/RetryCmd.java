package dev.baton.cli;

import dev.baton.events.RunCommandType;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton retry}: rerun a FAILED run from its failed jobs. */
@Command(
    name = "retry",
    description =
        "Rerun a FAILED run from its failed jobs; jobs that succeeded keep their outputs.",
    mixinStandardHelpOptions = true)
final class RetryCmd implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin KafkaOptions kafka;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Override
  public Integer call() {
    RunCommands.send(kafka, runId, RunCommandType.RETRY, "retry from the command line");
    spec.commandLine()
        .getOut()
        .println("rerun requested for " + runId + " (follow it with `baton watch " + runId + "`)");
    return 0;
  }
}
