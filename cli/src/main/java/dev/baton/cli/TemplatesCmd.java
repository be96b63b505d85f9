package dev.baton.cli;

import dev.baton.engine.triggers.TemplateCatalog;
import dev.baton.kafka.TopicAdmin;
import dev.baton.template.ApplyChecks;
import dev.baton.template.InvalidTemplateException;
import dev.baton.template.JobSpec;
import dev.baton.template.ParsedTemplates;
import dev.baton.template.Template;
import dev.baton.template.TemplateError;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton templates apply|validate}. */
@Command(
    name = "templates",
    description = "Manage workflow templates.",
    mixinStandardHelpOptions = true,
    subcommands = {TemplatesCmd.Apply.class, TemplatesCmd.Validate.class})
final class TemplatesCmd implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  @Command(
      name = "apply",
      description = "Validate templates and publish them to the template store.",
      mixinStandardHelpOptions = true)
  static final class Apply implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin KafkaOptions kafka;

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR")
    List<Path> path;

    @Override
    public Integer call() throws IOException {
      List<TemplatePublisher.Loaded> loaded;
      try {
        loaded = TemplatePublisher.load(path);
        if (loaded.stream()
            .anyMatch(l -> l.template().jobs().stream().anyMatch(JobSpec::runsTemplate))) {
          // run: jobs are checked against the templates they run: those applied with them, and
          // the store's
          loaded = TemplatePublisher.load(path, stored());
        }
      } catch (InvalidTemplateException e) {
        spec.commandLine().getErr().println("refused, nothing applied:\n" + e.getMessage());
        return 1;
      }
      List<TemplateError> errors =
          ApplyChecks.errors(
              loaded.stream()
                  .map(l -> new ApplyChecks.Applying(l.file().toString(), l.yaml(), l.template()))
                  .toList(),
              topics(),
              stored());
      if (!errors.isEmpty()) {
        spec.commandLine()
            .getErr()
            .println(
                "refused, nothing applied:\n" + new InvalidTemplateException(errors).getMessage());
        return 1;
      }
      TemplatePublisher.publish(kafka.bootstrapServers(), kafka.topics().templates(), loaded);
      loaded.forEach(
          t ->
              spec.commandLine()
                  .getOut()
                  .printf(
                      "applied %s v%d (%s)%n",
                      t.template().name(), t.template().version(), t.file()));
      return 0;
    }

    /** The topics of the cluster (for service and emit steps). */
    private Set<String> topics() {
      Properties p = new Properties();
      p.put("bootstrap.servers", kafka.bootstrapServers());
      p.putAll(KafkaOptions.clientProperties());
      return TopicAdmin.topicNames(p, Duration.ofSeconds(30));
    }

    /**
     * The store's latest version of each template, which run: jobs and webhooks are checked
     * against.
     */
    private Map<String, Template> stored() {
      Map<String, Template> latest = new LinkedHashMap<>();
      Map<String, String> store;
      try {
        store = TriggersCmd.readStore(kafka.bootstrapServers(), kafka.topics().templates());
      } catch (IllegalStateException noTopicYet) {
        return latest; // nothing applied yet
      }
      new TemplateCatalog(
              () -> store,
              new ParsedTemplates(
                  why ->
                      spec.commandLine()
                          .getErr()
                          .println("invalid template in the store, left out: " + why)))
          .latest()
          .forEach(t -> latest.put(t.name(), t));
      return latest;
    }
  }

  @Command(
      name = "validate",
      description = "Check templates without publishing them.",
      mixinStandardHelpOptions = true)
  static final class Validate implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR")
    List<Path> path;

    @Override
    public Integer call() throws IOException {
      try {
        TemplatePublisher.load(path, null)
            .forEach(
                t ->
                    spec.commandLine()
                        .getOut()
                        .printf(
                            "ok %s v%d (%s)%n",
                            t.template().name(), t.template().version(), t.file()));
        return 0;
      } catch (InvalidTemplateException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return 1;
      }
    }
  }
}
