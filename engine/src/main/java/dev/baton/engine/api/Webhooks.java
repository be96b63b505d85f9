package dev.baton.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.baton.engine.decide.TriggerChecks;
import dev.baton.engine.state.RunStore;
import dev.baton.events.SecretRef;
import dev.baton.events.WorkflowTrigger;
import dev.baton.expressions.Expressions;
import dev.baton.secrets.SecretSource;
import dev.baton.serde.EventMaps;
import dev.baton.serde.RunIds;
import dev.baton.template.Template;
import dev.baton.template.TriggerRule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code POST /hooks/<path>}: a template's webhook starts a run. The body's HMAC-SHA256 under the
 * hook's secret is checked (in constant time) before anything is read from it; then the hook's
 * filter, params and idempotency key are evaluated over the JSON {@code body} and the {@code
 * headers}; then one trigger is published, keyed by the run the idempotency key names, so a
 * delivery sent twice starts one run. Without an idempotency key, a hook starts one run per
 * distinct body.
 */
final class Webhooks {
  /** Most bytes of a webhook's body. */
  static final int MAX_BODY_BYTES = 1 << 20;

  /** Publishes a trigger keyed by its run; returns once the broker has it. */
  interface Publisher {
    void publish(String runId, WorkflowTrigger trigger) throws Exception;
  }

  private final Supplier<List<Template>> templates;
  private final SecretSource secrets;
  private final RunStore runs;
  private final Publisher publisher;

  Webhooks(
      Supplier<List<Template>> templates,
      SecretSource secrets,
      RunStore runs,
      Publisher publisher) {
    this.templates = templates;
    this.secrets = secrets;
    this.runs = runs;
    this.publisher = publisher;
  }

  /** A hook of the latest templates, by path. */
  private record Hook(Template template, TriggerRule rule) {}

  /** Answers one request to {@code /hooks/...}. */
  void handle(HttpExchange ex) throws IOException {
    try {
      Map<String, Object> answer = accept(ex);
      Exchanges.send(ex, Boolean.TRUE.equals(answer.get("started")) ? 202 : 200, answer);
    } catch (ApiException e) {
      Exchanges.send(ex, e.status, Map.of("error", e.getMessage()));
    } catch (Exception e) {
      Exchanges.send(ex, 503, Map.of("error", "the run was not started: " + e.getMessage()));
    }
  }

  private Map<String, Object> accept(HttpExchange ex) throws Exception {
    String path = ex.getRequestURI().getPath().substring("/hooks/".length());
    if (!ex.getRequestMethod().equals("POST")) {
      ex.getResponseHeaders().set("Allow", "POST");
      throw new ApiException(405, "a webhook takes POST, not " + ex.getRequestMethod());
    }
    Hook hook = find(path);
    Exchanges.requireJson(ex);
    byte[] body = Exchanges.rawBody(ex, MAX_BODY_BYTES);
    TriggerRule.Webhook spec = hook.rule().webhook();
    if (spec.secret() != null) {
      checkSignature(ex, spec, body);
    }
    JsonNode json = Exchanges.parse(body);
    Object value = EventMaps.fromJsonValue(json);
    Map<String, String> headers = headers(ex);
    TriggerRule rule = hook.rule();
    Map<String, String> given = new LinkedHashMap<>();
    String key;
    try {
      if (rule.filter() != null && !Expressions.evalRequestBool(rule.filter(), value, headers)) {
        return Map.of("started", false, "reason", "the hook's filter said no");
      }
      for (Map.Entry<String, String> p : rule.params().entrySet()) {
        given.put(
            p.getKey(), Expressions.text(Expressions.evalRequest(p.getValue(), value, headers)));
      }
      key =
          rule.idempotencyKey() == null
              ? "sha256:"
                  + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body))
              : Expressions.text(Expressions.evalRequest(rule.idempotencyKey(), value, headers));
    } catch (Expressions.InvalidExpressionException e) {
      throw new ApiException(400, "hook '" + path + "': " + e.getMessage());
    }
    if (key.isBlank()) {
      throw new ApiException(
          400, "hook '" + path + "': idempotencyKey '" + rule.idempotencyKey() + "' gave nothing");
    }
    String refused = TriggerChecks.paramsRefused(given, hook.template(), new LinkedHashMap<>());
    if (refused != null) {
      throw new ApiException(400, "hook '" + path + "': " + refused);
    }
    String idempotencyKey = hook.template().name() + "/hook:" + path + "/" + key;
    String runId = RunIds.forIdempotencyKey(idempotencyKey);
    if (runs.find(runId).isPresent()) {
      return Map.of(
          "runId", runId, "started", false, "reason", "this delivery has started its run already");
    }
    publisher.publish(
        runId,
        WorkflowTrigger.newBuilder()
            .setTemplate(hook.template().name())
            .setParams(given)
            .setIdempotencyKey(idempotencyKey)
            .setOccurredAt(Instant.now())
            .build());
    return Map.of("runId", runId, "started", true);
  }

  private Hook find(String path) {
    return templates.get().stream()
        .sorted(Comparator.comparing(Template::name))
        .flatMap(
            t ->
                t.on().stream()
                    .filter(r -> r.webhook() != null && r.webhook().path().equals(path))
                    .map(r -> new Hook(t, r)))
        .findFirst()
        .orElseThrow(() -> new ApiException(404, "no webhook '" + shortened(path) + "'"));
  }

  /** 401 unless the request carries the body's HMAC-SHA256 under the hook's secret. */
  private void checkSignature(HttpExchange ex, TriggerRule.Webhook spec, byte[] body)
      throws GeneralSecurityException {
    SecretRef ref =
        SecretRef.newBuilder().setName(spec.secret().name()).setKey(spec.secret().key()).build();
    String secret =
        secrets
            .value(ref)
            .orElseThrow(
                () ->
                    new ApiException(
                        503,
                        "the hook's secret "
                            + ref.getName()
                            + "/"
                            + ref.getKey()
                            + " is not available to the API: set BATON_SECRETS_DIR"));
    String given = ex.getRequestHeaders().getFirst(spec.signatureHeader());
    if (given == null || given.isBlank()) {
      throw new ApiException(401, "no signature: header " + spec.signatureHeader() + " is missing");
    }
    String hex = given.strip();
    if (hex.regionMatches(true, 0, "sha256=", 0, 7)) {
      hex = hex.substring(7);
    }
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] expected =
        HexFormat.of().formatHex(mac.doFinal(body)).getBytes(StandardCharsets.US_ASCII);
    byte[] actual = hex.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, actual)) {
      throw new ApiException(
          401, "the signature in " + spec.signatureHeader() + " does not match the body");
    }
  }

  /** Each header's first value, by lower-case name. */
  private static Map<String, String> headers(HttpExchange ex) {
    Map<String, String> out = new LinkedHashMap<>();
    ex.getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!values.isEmpty()) {
                out.put(name.toLowerCase(Locale.ROOT), values.get(0));
              }
            });
    return out;
  }

  private static String shortened(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }
}
