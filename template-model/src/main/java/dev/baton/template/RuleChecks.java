package dev.baton.template;

import dev.baton.expressions.Expressions;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** A template's trigger rules ({@code on:}), checked for {@link TemplateValidator}. */
final class RuleChecks {
  private final YamlFields parser;

  RuleChecks(YamlFields parser) {
    this.parser = parser;
  }

  /**
   * Trigger rules: expressions over {@code event} (or a webhook's {@code body} and {@code headers})
   * compile, they map only declared params, and no two webhooks share a path.
   */
  void check(Template t) {
    Set<String> hookPaths = new HashSet<>();
    for (int i = 0; i < t.on().size(); i++) {
      TriggerRule rule = t.on().get(i);
      boolean hook = rule.webhook() != null;
      String path = "on[" + i + "]" + (hook ? ".webhook" : "");
      if (hook && !hookPaths.add(rule.webhook().path())) {
        parser.error(path + ".path", "another webhook of this template has this path");
      }
      checkRuleExpression(hook, rule.filter(), path + ".filter");
      checkRuleExpression(hook, rule.idempotencyKey(), path + ".idempotencyKey");
      for (Map.Entry<String, String> p : rule.params().entrySet()) {
        if (!t.params().containsKey(p.getKey())) {
          parser.error(
              path + ".params." + p.getKey(),
              "unknown parameter '"
                  + p.getKey()
                  + "' (declared: "
                  + String.join(", ", t.params().keySet())
                  + ")");
        }
        checkRuleExpression(hook, p.getValue(), path + ".params." + p.getKey());
      }
      for (ParamSpec spec : t.params().values()) {
        if (spec.required()
            && spec.defaultValue() == null
            && !rule.params().containsKey(spec.name())) {
          parser.error(
              path + ".params",
              "required parameter '"
                  + spec.name()
                  + "' is not mapped from the "
                  + (hook ? "request" : "event"));
        }
      }
    }
  }

  /** A webhook's expression over {@code body} and {@code headers}, else over {@code event}. */
  private void checkRuleExpression(boolean webhook, String expression, String path) {
    compiles(webhook ? Expressions::checkRequest : Expressions::checkEvent, expression, path);
  }

  /** An expression over {@code event} (a rule's or a wait's). */
  void checkEventExpression(String expression, String path) {
    compiles(Expressions::checkEvent, expression, path);
  }

  private interface Check {
    void check(String expression) throws Expressions.InvalidExpressionException;
  }

  private void compiles(Check check, String expression, String path) {
    if (expression == null) {
      return;
    }
    try {
      check.check(expression);
    } catch (Expressions.InvalidExpressionException e) {
      parser.error(
          path, "bad expression '" + Expressions.shortened(expression) + "': " + e.getMessage());
    }
  }
}
