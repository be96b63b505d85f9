package dev.baton.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton pause} and {@code baton resume}: hold back what a run would dispatch next, and let
 * it go on. Refused (exit 1, nothing sent) when the run is not running, or not paused.
 */
abstract class PauseCmd implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin KafkaOptions kafka;
  @Mixin RedisOptions redis;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  abstract boolean pause();

  @Override
  public Integer call() {
    return RunControl.pause(spec, kafka, redis, runId, pause());
  }

  @Command(
      name = "pause",
      description =
          "Pause a running run: nothing new is dispatched (running jobs finish, timers keep)"
              + " until `baton resume`.",
      mixinStandardHelpOptions = true)
  static final class Pause extends PauseCmd {
    @Override
    boolean pause() {
      return true;
    }
  }

  @Command(
      name = "resume",
      description = "Resume a paused run: what the pause held back is dispatched now.",
      mixinStandardHelpOptions = true)
  static final class Resume extends PauseCmd {
    @Override
    boolean pause() {
      return false;
    }
  }
}
