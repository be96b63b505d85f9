package dev.baton.cli;

import dev.baton.events.RunCommandType;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton cancel}: stop a run. */
@Command(
    name = "cancel",
    description = "Cancel a run: stop its running jobs, dispatch nothing more.",
    mixinStandardHelpOptions = true)
final class CancelCmd implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin KafkaOptions kafka;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Option(names = "--reason", paramLabel = "TEXT")
  String reason;

  @Override
  public Integer call() {
    RunCommands.send(kafka, runId, RunCommandType.CANCEL, reason);
    spec.commandLine().getOut().println("cancel requested for " + runId);
    return 0;
  }
}
