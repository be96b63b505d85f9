package dev.baton.template;

import java.util.Map;

/**
 * What starts runs of a template besides a trigger record ({@code on:}): the events of a domain
 * topic, or the requests to a webhook. The events or requests that pass {@code filter} (CEL over
 * {@code event}, or over a request's {@code body} and {@code headers}; null: all) start a run with
 * {@code params} mapped from them (param name → CEL expression), once per {@code idempotencyKey}
 * (CEL; null: once per event record, or per distinct request body).
 */
public record TriggerRule(
    String topic,
    String filter,
    Map<String, String> params,
    String idempotencyKey,
    Webhook webhook) {
  public TriggerRule {
    params = Ordered.copy(params);
  }

  /** A rule on a domain topic. */
  public TriggerRule(
      String topic, String filter, Map<String, String> params, String idempotencyKey) {
    this(topic, filter, params, idempotencyKey, null);
  }

  /**
   * {@code POST /hooks/<path>} on the API port starts the run. {@code secret} null: the hook said
   * {@code secret: none} and anyone who can reach the API may call it; else each request carries an
   * HMAC-SHA256 of its body under the secret in {@code signatureHeader} ({@code sha256=<hex>}, as
   * GitHub sends it, or the bare hex).
   */
  public record Webhook(String path, JobSpec.SecretRef secret, String signatureHeader) {}
}
