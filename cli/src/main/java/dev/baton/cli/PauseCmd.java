package dev.baton.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton pause}: dispatch nothing new for a run until it resumes. */
@Command(
    name = "pause",
    description =
        "Pause a running run: nothing new is dispatched (running jobs finish, timers keep)"
            + " until `baton resume`.",
    mixinStandardHelpOptions = true)
final class PauseCmd implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin KafkaOptions kafka;
  @Mixin RedisOptions redis;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Override
  public Integer call() {
    return RunControl.pause(spec, kafka, redis, runId, true);
  }
}
