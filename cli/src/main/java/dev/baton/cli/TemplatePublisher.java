package dev.baton.cli;

import dev.baton.template.Composition;
import dev.baton.template.InvalidTemplateException;
import dev.baton.template.StoredTemplate;
import dev.baton.template.Template;
import dev.baton.template.TemplateError;
import dev.baton.template.Templates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code templates apply}: validates template files, then publishes each to the compacted store
 * topic under {@code name@version} (what runs are pinned to) and {@code name} (the latest). Nothing
 * is published unless every file is valid.
 */
public final class TemplatePublisher {
  private TemplatePublisher() {}

  public record Loaded(Path file, Template template, String yaml) {}

  /**
   * Every template in {@code path} (a file, or the .yaml/.yml files of a directory), validated, and
   * their {@code run:} jobs checked against each other and {@code stored} (the store's latest
   * version of each template; null: against each other only, a template they do not hold is not
   * reported).
   */
  public static List<Loaded> load(Path path, Map<String, Template> stored)
      throws IOException, InvalidTemplateException {
    return load(List.of(path), stored);
  }

  /** As {@link #load(Path, Map)}, of the templates in every one of {@code paths}, together. */
  public static List<Loaded> load(List<Path> paths, Map<String, Template> stored)
      throws IOException, InvalidTemplateException {
    List<Loaded> alone = load(paths);
    Map<String, Template> applying = new LinkedHashMap<>();
    alone.forEach(l -> applying.put(l.template().name(), l.template()));
    Composition composition =
        new Composition(
            name ->
                Optional.ofNullable(
                    applying.getOrDefault(name, stored == null ? null : stored.get(name))),
            stored != null);
    List<Loaded> loaded = new ArrayList<>();
    List<TemplateError> errors = new ArrayList<>();
    for (Loaded l : alone) {
      try {
        loaded.add(
            new Loaded(
                l.file(), Templates.parse(l.file().toString(), l.yaml(), composition), l.yaml()));
      } catch (InvalidTemplateException e) {
        errors.addAll(e.errors());
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidTemplateException(errors);
    }
    return loaded;
  }

  /** Every template in {@code path} (a file, or the .yaml/.yml files of a directory), validated. */
  public static List<Loaded> load(Path path) throws IOException, InvalidTemplateException {
    return load(List.of(path));
  }

  /** Every template in each of {@code paths} (files or directories), validated together. */
  public static List<Loaded> load(List<Path> paths) throws IOException, InvalidTemplateException {
    List<Path> files = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> s = Files.list(path)) {
          s.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
              .sorted()
              .forEach(files::add);
        }
      } else if (Files.isRegularFile(path)) {
        files.add(path);
      } else {
        throw new IOException("no such file or directory: " + path);
      }
    }
    List<Loaded> loaded = new ArrayList<>();
    List<TemplateError> errors = new ArrayList<>();
    for (Path file : files) {
      String yaml = Files.readString(file, StandardCharsets.UTF_8);
      try {
        loaded.add(new Loaded(file, Templates.parse(file.toString(), yaml), yaml));
      } catch (InvalidTemplateException e) {
        errors.addAll(e.errors());
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidTemplateException(errors);
    }
    return loaded;
  }

  /**
   * With the Kafka client settings of the environment ({@link dev.baton.kafka.KafkaProperties}).
   */
  public static void publish(String bootstrapServers, String topic, List<Loaded> templates) {
    publish(bootstrapServers, topic, templates, KafkaOptions.clientProperties());
  }

  public static void publish(
      String bootstrapServers, String topic, List<Loaded> templates, Map<String, String> kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.putAll(kafka);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    // One request at a time: an apply is a few records, and on a topic created a moment ago a
    // first batch refused (its leader not known yet) must not leave later ones out of sequence.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (Loaded t : templates) {
        String value =
            StoredTemplate.of(
                    t.template(),
                    t.yaml(),
                    StoredTemplate.localUser("cli"),
                    java.time.Instant.now())
                .toJson();
        sent.add(producer.send(new ProducerRecord<>(topic, t.template().storeKey(), value)));
        sent.add(producer.send(new ProducerRecord<>(topic, t.template().name(), value)));
      }
      for (Future<RecordMetadata> f : sent) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new KafkaException("the template store was not written: " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while writing the template store", e);
    }
  }
}
