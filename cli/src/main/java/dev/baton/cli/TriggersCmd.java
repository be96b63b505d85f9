package dev.baton.cli;

import dev.baton.engine.triggers.TemplateCatalog;
import dev.baton.template.ParsedTemplates;
import dev.baton.template.Schedule;
import dev.baton.template.Template;
import dev.baton.template.TriggerRule;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code baton triggers}: the trigger rules and schedules of the applied templates, with next fire
 * times.
 */
@Command(
    name = "triggers",
    description = "List the trigger rules and schedules of the applied templates.",
    mixinStandardHelpOptions = true)
final class TriggersCmd implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin KafkaOptions kafka;

  @Option(
      names = "--next",
      defaultValue = "3",
      description = "How many next fire times to show (default: ${DEFAULT-VALUE})")
  int next;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<Template> templates =
        new TemplateCatalog(
                () -> readStore(kafka.bootstrapServers(), kafka.topics().templates()),
                new ParsedTemplates(
                    why ->
                        spec.commandLine()
                            .getErr()
                            .println("invalid template in the store, left out: " + why)))
            .latest().stream().sorted(Comparator.comparing(Template::name)).toList();
    out.println("trigger rules");
    templates.forEach(t -> t.on().forEach(r -> out.println("  " + describe(t, r))));
    if (templates.stream().allMatch(t -> t.on().isEmpty())) {
      out.println("  (none)");
    }
    out.println("schedules");
    Instant now = Instant.now();
    for (Template t : templates) {
      Schedule s = t.schedule();
      if (s != null) {
        out.printf(
            "  %s v%d  %s%s  next: %s%n",
            t.name(),
            t.version(),
            s.describe(),
            s.catchUp() ? "  catchUp" : "",
            s.next(now, next).stream().map(Instant::toString).collect(Collectors.joining(", ")));
      }
    }
    if (templates.stream().allMatch(t -> t.schedule() == null)) {
      out.println("  (none)");
    }
    return 0;
  }

  static String describe(Template t, TriggerRule r) {
    return t.name()
        + " v"
        + t.version()
        + (r.webhook() == null
            ? "  on " + r.topic()
            : "  on POST /hooks/"
                + r.webhook().path()
                + (r.webhook().secret() == null
                    ? " (unsigned)"
                    : " (signed in " + r.webhook().signatureHeader() + ")"))
        + (r.filter() == null ? "" : "  filter: " + r.filter())
        + (r.params().isEmpty()
            ? ""
            : "  params: "
                + r.params().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(" ")))
        + (r.idempotencyKey() == null ? "" : "  once per: " + r.idempotencyKey());
  }

  /** Every key of the compacted template topic with its latest value. */
  static Map<String, String> readStore(String bootstrapServers, String topic) {
    return readStore(bootstrapServers, topic, Duration.ofSeconds(15));
  }

  /** As above, waiting at most {@code reach} for the broker to answer at all. */
  static Map<String, String> readStore(String bootstrapServers, String topic, Duration reach) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.putAll(KafkaOptions.clientProperties());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "baton-cli-" + UUID.randomUUID());
    Map<String, String> store = new LinkedHashMap<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(topic, reach)
          .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
      if (partitions.isEmpty()) {
        throw new IllegalStateException(
            "topic " + topic + " does not exist: is Baton running, and were templates applied?");
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
          && System.nanoTime() < deadline) {
        consumer
            .poll(Duration.ofMillis(200))
            .forEach(
                r -> {
                  if (r.value() == null) {
                    store.remove(r.key());
                  } else {
                    store.put(r.key(), r.value());
                  }
                });
      }
    }
    return store;
  }
}
