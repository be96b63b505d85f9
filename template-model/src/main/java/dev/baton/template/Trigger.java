package dev.baton.template;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What starts runs of a template written in Java besides a trigger record: the events of a domain
 * topic ({@link #topic}) or the requests to a webhook ({@link #webhook}).
 */
public final class Trigger {
  private final Map<String, Object> fields = new LinkedHashMap<>();
  private final Map<String, Object> params = new LinkedHashMap<>();
  private final boolean webhook;

  private Trigger(boolean webhook) {
    this.webhook = webhook;
  }

  /** Each event on {@code topic} that passes the filter starts a run. */
  public static Trigger topic(String topic) {
    Trigger t = new Trigger(false);
    t.fields.put("topic", topic);
    return t;
  }

  /**
   * {@code POST /hooks/<path>} starts a run; give its {@link #secret} or say it is {@link #open}.
   */
  public static Trigger webhook(String path) {
    Trigger t = new Trigger(true);
    t.fields.put("path", path);
    return t;
  }

  /** A webhook's requests carry an HMAC-SHA256 of the body under this Kubernetes secret's key. */
  public Trigger secret(String secretName, String key) {
    fields.put("secret", TemplateYaml.secretRef(new JobSpec.SecretRef(secretName, key)));
    return this;
  }

  /** Anyone who can reach the API may call the webhook ({@code secret: none}). */
  public Trigger open() {
    fields.put("secret", "none");
    return this;
  }

  /** The header a webhook's signature is in (GitHub's unless given). */
  public Trigger signatureHeader(String header) {
    fields.put("signature", Map.of("header", header));
    return this;
  }

  /** Only events or requests for which this CEL expression is true start runs. */
  public Trigger filter(String cel) {
    fields.put("filter", cel);
    return this;
  }

  /** A run parameter taken from the event or request by a CEL expression. */
  public Trigger param(String paramName, String cel) {
    params.put(paramName, cel);
    return this;
  }

  /** One run per value of this CEL expression. */
  public Trigger idempotencyKey(String cel) {
    fields.put("idempotencyKey", cel);
    return this;
  }

  Map<String, Object> document() {
    Map<String, Object> rule = new LinkedHashMap<>(fields);
    if (!params.isEmpty()) {
      rule.put("params", params);
    }
    return webhook ? Map.of("webhook", rule) : rule;
  }
}
