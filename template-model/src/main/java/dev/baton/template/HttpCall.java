package dev.baton.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The call of an {@code http} step written in Java: {@code post("https://...").body("...")}. Text
 * may hold {@code ${...}} references; outputs are CEL over {@code response}.
 */
public final class HttpCall {
  private final Map<String, Object> fields = new LinkedHashMap<>();
  private final Map<String, Object> headers = new LinkedHashMap<>();
  private final List<Integer> expect = new ArrayList<>();
  private final Map<String, Object> outputs = new LinkedHashMap<>();

  private HttpCall(String method, String url) {
    fields.put("method", method);
    fields.put("url", url);
  }

  public static HttpCall get(String url) {
    return new HttpCall("GET", url);
  }

  public static HttpCall post(String url) {
    return new HttpCall("POST", url);
  }

  public static HttpCall put(String url) {
    return new HttpCall("PUT", url);
  }

  public static HttpCall patch(String url) {
    return new HttpCall("PATCH", url);
  }

  public static HttpCall delete(String url) {
    return new HttpCall("DELETE", url);
  }

  public HttpCall header(String headerName, String value) {
    headers.put(headerName, value);
    return this;
  }

  /** A header whose value the dispatcher reads from a Kubernetes secret's key. */
  public HttpCall secretHeader(String headerName, String secretName, String key) {
    headers.put(headerName, TemplateYaml.secretRef(new JobSpec.SecretRef(secretName, key)));
    return this;
  }

  public HttpCall body(String body) {
    fields.put("body", body);
    return this;
  }

  /** The statuses that succeed (any 2xx unless given). */
  public HttpCall expect(int... statuses) {
    for (int s : statuses) {
      expect.add(s);
    }
    return this;
  }

  /** An output of the step: CEL over {@code response.status}, {@code .headers}, {@code .json}. */
  public HttpCall output(String outputName, String cel) {
    outputs.put(outputName, cel);
    return this;
  }

  Map<String, Object> document() {
    Map<String, Object> out = new LinkedHashMap<>(fields);
    TemplateYaml.putMap(out, "headers", headers);
    TemplateYaml.putList(out, "expect", expect);
    TemplateYaml.putMap(out, "outputs", outputs);
    return out;
  }
}
