package dev.baton.engine.template;

import java.util.Map;

/**
 * A domain-event topic that starts runs of a template ({@code on:}): the events that pass {@code
 * filter} (CEL over {@code event}; null: all) start a run with {@code params} mapped from the event
 * (param name → CEL expression), once per {@code idempotencyKey} (CEL; null: once per event
 * record).
 */
public record TriggerRule(
    String topic, String filter, Map<String, String> params, String idempotencyKey) {
  public TriggerRule {
    params = Map.copyOf(params);
  }
}
