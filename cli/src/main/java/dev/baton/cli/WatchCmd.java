package dev.baton.cli;

import dev.baton.events.RunEventType;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton watch}: print a run's events from its start until it ends. */
@Command(name = "watch", description = "Print a run's events until it ends.", mixinStandardHelpOptions = true)
final class WatchCmd implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin KafkaOptions kafka;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Option(names = "--timeout", defaultValue = "10m", paramLabel = "DURATION", description = "Give up after (default: ${DEFAULT-VALUE})")
  String timeout;

  @Override
  public Integer call() {
    Duration wait = Durations.parse(timeout, "--timeout", spec.commandLine());
    try (RunFollower follower = new RunFollower(kafka.bootstrapServers(), kafka.topics().events(), true, kafka.wire())) {
      RunEventType end = follower.follow(runId, new java.io.PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true), wait);
      return RunCmd.exitCode(end, spec.commandLine().getOut(), wait);
    }
  }
}
