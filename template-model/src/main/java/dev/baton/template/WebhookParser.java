package dev.baton.template;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads an {@code on: - webhook:} rule: its path, its secret (or an explicit {@code secret: none}),
 * its signature header, and the filter, params and idempotency key over the request.
 */
final class WebhookParser extends YamlFields {
  private static final Set<String> FIELDS =
      Set.of("path", "secret", "signature", "filter", "params", "idempotencyKey");
  private static final Set<String> SIGNATURE_FIELDS = Set.of("header", "scheme");

  /** The header a signature is in unless the hook names another: GitHub's. */
  static final String DEFAULT_SIGNATURE_HEADER = "X-Hub-Signature-256";

  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,99}");

  WebhookParser(YamlFields shared) {
    super(shared);
  }

  /** The rule, or null (with errors at their fields). */
  TriggerRule rule(Node node, String path) {
    Map<String, Node> f =
        mapping(
            node,
            path,
            FIELDS,
            "a mapping with path, secret, signature, filter, params and idempotencyKey");
    if (f == null) {
      error(path, "must be a mapping with path and secret");
      return null;
    }
    String hookPath = requiredString(f, "path", path + ".path");
    if (hookPath != null && !TemplateParser.HOOK_PATH.matcher(hookPath).matches()) {
      error(
          path + ".path",
          "must be 1 to 100 letters, digits and . _ - (starting with a letter or digit), got '"
              + hookPath
              + "'");
      hookPath = null;
    }
    Node secretNode = f.get("secret");
    JobSpec.SecretRef secret = null;
    boolean open = false;
    if (secretNode == null || isNull(secretNode)) {
      error(
          path + ".secret",
          "a webhook needs a secret to check signatures: {secretRef: {name, key}};"
              + " write 'secret: none' to let anyone who reaches the API start runs");
    } else if (secretNode instanceof MappingNode ref) {
      secret = secretRef(ref, path + ".secret").orElse(null);
    } else if ("none".equals(scalar(secretNode, path + ".secret"))) {
      open = true;
    } else {
      error(path + ".secret", "must be {secretRef: {name, key}} or none");
    }
    String header = DEFAULT_SIGNATURE_HEADER;
    Map<String, Node> sig =
        mapping(f.get("signature"), path + ".signature", SIGNATURE_FIELDS, "{header, scheme}");
    if (sig != null) {
      if (open) {
        error(path + ".signature", "a hook with 'secret: none' has no signature to check");
      }
      String named = optionalString(sig.get("header"), path + ".signature.header");
      if (named != null && !HEADER_NAME.matcher(named).matches()) {
        error(path + ".signature.header", "not an HTTP header name: '" + named + "'");
      } else if (named != null) {
        header = named;
      }
      String scheme = optionalString(sig.get("scheme"), path + ".signature.scheme");
      if (scheme != null && !scheme.equals("hmac-sha256")) {
        error(path + ".signature.scheme", "unknown scheme '" + scheme + "'; known: hmac-sha256");
      }
    }
    String filter = optionalString(f.get("filter"), path + ".filter");
    Map<String, String> params = stringMap(f.get("params"), path + ".params");
    String key = optionalString(f.get("idempotencyKey"), path + ".idempotencyKey");
    if (hookPath == null || (secret == null && !open)) {
      return null;
    }
    return new TriggerRule(
        null, filter, params, key, new TriggerRule.Webhook(hookPath, secret, header));
  }
}
