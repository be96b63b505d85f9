package dev.baton.cli;

import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.Waiting;
import dev.baton.engine.state.RedisRunRepository;
import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import dev.baton.serde.CommandRequests;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Sends a person's command on a run once the run's state in Redis says the engine would apply it;
 * otherwise says why and changes nothing (exit 1).
 */
final class RunControl {
  private RunControl() {}

  static int send(
      CommandSpec spec,
      KafkaOptions kafka,
      RedisOptions redis,
      String runId,
      Function<RunState, String> refusal,
      Function<RunState, RunCommand> command,
      String done) {
    Optional<RunState> run;
    try (RedisRunRepository runs = redis.open("status")) {
      run = runs.find(runId);
    }
    if (run.isEmpty()) {
      spec.commandLine().getErr().println("no run '" + runId + "' (not started yet, or expired)");
      return 1;
    }
    String refused = refusal.apply(run.get());
    if (refused != null) {
      spec.commandLine().getErr().println(refused);
      return 1;
    }
    TriggerPublisher.publish(
        kafka.bootstrapServers(),
        kafka.topics().commands(),
        runId,
        kafka.wire().encode(kafka.topics().commands(), command.apply(run.get())));
    spec.commandLine().getOut().println(done);
    return 0;
  }

  /** A pause or resume request. */
  static int pause(
      CommandSpec spec, KafkaOptions kafka, RedisOptions redis, String runId, boolean pause) {
    return send(
        spec,
        kafka,
        redis,
        runId,
        run -> Waiting.pauseRefused(run, pause),
        run ->
            CommandRequests.of(
                runId,
                pause ? RunCommandType.PAUSE : RunCommandType.RESUME,
                "requested from the command line"),
        (pause ? "pause" : "resume") + " requested for " + runId);
  }
}
