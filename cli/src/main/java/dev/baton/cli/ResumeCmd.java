package dev.baton.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton resume}: a paused run goes on from where it stopped. */
@Command(
    name = "resume",
    description = "Resume a paused run: what the pause held back is dispatched now.",
    mixinStandardHelpOptions = true)
final class ResumeCmd implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin KafkaOptions kafka;
  @Mixin RedisOptions redis;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Override
  public Integer call() {
    return RunControl.pause(spec, kafka, redis, runId, false);
  }
}
