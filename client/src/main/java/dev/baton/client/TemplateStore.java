package dev.baton.client;

import dev.baton.template.InvalidTemplateException;
import dev.baton.template.StoredTemplate;
import dev.baton.template.Template;
import dev.baton.template.TemplateError;
import dev.baton.template.Templates;
import dev.baton.template.TopicChecks;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

/**
 * Templates from Java: checked by the same parser and validator as {@code baton templates apply},
 * with the same errors, and published to the template store the engine reads.
 */
public final class TemplateStore {
  private final BatonClient client;

  TemplateStore(BatonClient client) {
    this.client = client;
  }

  /**
   * The template {@code yaml} describes, checked; {@code source} names it in errors (a file name).
   *
   * @throws TemplateRejectedException with every error at its line and field
   */
  public Template validate(String source, String yaml) {
    try {
      return Templates.parse(source, yaml);
    } catch (InvalidTemplateException e) {
      throw new TemplateRejectedException(e.errors());
    }
  }

  /**
   * Applies a template written in Java ({@link Template#named}) or read before: the store keeps its
   * YAML ({@link Template#toYaml()}), as it keeps a file's.
   *
   * @throws TemplateRejectedException with every error at its field
   * @throws BatonException when Kafka does not answer in time
   */
  public Template apply(Template template) {
    return apply(template.name() + ".yaml", template.toYaml());
  }

  /**
   * Checks the template, and that the topics its service and emit steps write to exist, then
   * publishes it as {@code name@version} and as the latest of its name. Runs started afterwards use
   * it.
   *
   * @throws TemplateRejectedException with every error at its line and field
   * @throws BatonException when Kafka does not answer in time
   */
  public Template apply(String source, String yaml) {
    Template template = validate(source, yaml);
    BatonClient.Settings s = client.settings();
    Set<String> topics = TopicChecks.written(template);
    if (!topics.isEmpty()) {
      List<TemplateError> missing = TopicChecks.missing(template, source, yaml, existing(s));
      if (!missing.isEmpty()) {
        throw new TemplateRejectedException(missing);
      }
    }
    byte[] value =
        StoredTemplate.of(
                template, yaml, StoredTemplate.localUser("client"), java.time.Instant.now())
            .toJson()
            .getBytes(StandardCharsets.UTF_8);
    String topic = s.topics().templates();
    String what = "template " + template.storeKey();
    client.sendBytes(topic, template.storeKey(), value, what);
    client.sendBytes(topic, template.name(), value, what);
    return template;
  }

  private static Set<String> existing(BatonClient.Settings s) {
    try (Admin admin = Admin.create(s.kafka())) {
      return admin.listTopics().names().get(s.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new BatonException(
          "cannot list the topics at " + s.kafka().get("bootstrap.servers") + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatonException("interrupted while listing topics", e);
    }
  }
}
