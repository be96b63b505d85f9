package dev.baton.cli;

import dev.baton.kafka.TopicAdmin;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton topics create}: Baton's topics, for a cluster Baton has not used yet. */
@Command(
    name = "topics",
    description = "Manage Baton's topics.",
    mixinStandardHelpOptions = true,
    subcommands = TopicsCmd.Create.class)
final class TopicsCmd implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  @Command(
      name = "create",
      description = "Create Baton's topics that are missing (the template store compacted).",
      mixinStandardHelpOptions = true)
  static final class Create implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin KafkaOptions kafka;

    @Option(
        names = "--partitions",
        defaultValue = "6",
        description =
            "Partitions of each topic (default: ${DEFAULT-VALUE}); "
                + "the engine scales out to this many instances")
    int partitions;

    @Option(
        names = "--replication-factor",
        defaultValue = "3",
        description = "Replicas of each topic (default: ${DEFAULT-VALUE})")
    short replicationFactor;

    @Override
    public Integer call() {
      if (partitions < 1 || replicationFactor < 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--partitions and --replication-factor must be at least 1");
      }
      TopicAdmin.ensureTopics(
          kafka.bootstrapServers(),
          kafka.topics(),
          partitions,
          replicationFactor,
          KafkaOptions.clientProperties());
      spec.commandLine()
          .getOut()
          .println(
              "topics ready: "
                  + kafka.topics().eventTopics()
                  + " and "
                  + kafka.topics().templates());
      return 0;
    }
  }
}
