package dev.baton.cli;

import dev.baton.engine.state.RedisRunRepository;
import dev.baton.template.Templates;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton cache clear <template> [job] [key]}: forget kept results of cached jobs. */
@Command(
    name = "cache",
    description = "Manage the kept results of cached jobs.",
    mixinStandardHelpOptions = true,
    subcommands = {CacheCmd.Clear.class})
final class CacheCmd implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  @Command(
      name = "clear",
      description =
          "Forget the kept results of a template's cached jobs: all of them, one job's, or one"
              + " job's for one key (the key as the job's cache.key resolves it).",
      mixinStandardHelpOptions = true)
  static final class Clear implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin RedisOptions redis;
    @Mixin ApplicationIdOption engineId;

    @Parameters(index = "0", paramLabel = "TEMPLATE")
    String template;

    @Parameters(index = "1", paramLabel = "JOB", arity = "0..1")
    String job;

    @Parameters(index = "2", paramLabel = "KEY", arity = "0..1")
    String key;

    @Override
    public Integer call() {
      if (!Templates.isName(template) || (job != null && !Templates.isName(job))) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "TEMPLATE and JOB are names: lower-case letters, digits and '-', got '"
                + (job == null ? template : template + "' and '" + job)
                + "'");
      }
      try (RedisRunRepository runs = redis.open(engineId.applicationId)) {
        int cleared = runs.results().clear(template, job, key);
        spec.commandLine()
            .getOut()
            .printf(
                "cleared %d kept result%s of %s%s%n",
                cleared,
                cleared == 1 ? "" : "s",
                template,
                job == null ? "" : "/" + job + (key == null ? "" : " for key '" + key + "'"));
      }
      return 0;
    }
  }
}
