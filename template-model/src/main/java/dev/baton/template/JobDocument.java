package dev.baton.template;

import static dev.baton.template.TemplateYaml.putDuration;
import static dev.baton.template.TemplateYaml.putList;
import static dev.baton.template.TemplateYaml.putMap;
import static dev.baton.template.TemplateYaml.putSla;
import static dev.baton.template.TemplateYaml.putText;
import static dev.baton.template.TemplateYaml.secretRef;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.settings.DurationText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One job of a template as the YAML mapping the job parser reads. */
final class JobDocument {
  private JobDocument() {}

  /** {@code previous}: the job listed before this one (null for the first and the exit handler). */
  static Map<String, Object> of(JobSpec job, String previous) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", job.name());
    List<String> implied = previous == null ? List.of() : List.of(previous);
    if (!job.dependsOn().equals(implied)) {
      out.put("dependsOn", job.dependsOn());
    }
    putText(out, "when", job.when());
    putText(out, "forEach", job.forEach());
    if (job.maxParallel() != 0) {
      out.put("maxParallel", job.maxParallel());
    }
    if (job.waits()) {
      out.put("wait", waitFor(job));
    } else if (job.runsTemplate()) {
      Map<String, Object> run = new LinkedHashMap<>();
      run.put("template", job.run().template());
      putMap(run, "params", job.run().params());
      out.put("run", run);
    } else if (job.acts()) {
      out.put(job.action().kind(), action(job.action()));
    } else {
      out.put("command", job.command());
      putText(out, "image", job.image());
      Map<String, Object> env = new LinkedHashMap<>(job.env());
      job.secretEnv().forEach((name, ref) -> env.put(name, secretRef(ref)));
      putMap(out, "env", env);
    }
    if (!job.waits() && !(job.action() instanceof StepAction.Http)) {
      putList(out, "outputs", job.outputs());
    }
    if (!job.artifacts().isEmpty()) {
      Map<String, Object> artifacts = new LinkedHashMap<>();
      putMap(artifacts, "in", job.artifacts().in());
      putMap(artifacts, "out", job.artifacts().out());
      out.put("artifacts", artifacts);
    }
    if (job.cache() != null) {
      Map<String, Object> cache = new LinkedHashMap<>();
      cache.put("key", job.cache().key());
      if (!job.cache().ttl().equals(CacheSpec.DEFAULT_TTL)) {
        putDuration(cache, "ttl", job.cache().ttl());
      }
      out.put("cache", cache);
    }
    if (job.retry() != null) {
      out.put("retry", retry(job.retry()));
    }
    if (!job.waits()) {
      putDuration(out, "timeout", job.timeout());
    }
    if (!job.startTimeout().equals(JobSpec.DEFAULT_START_TIMEOUT)) {
      putDuration(out, "startTimeout", job.startTimeout());
    }
    putText(out, "runtime", job.runtime());
    if (job.pod() != null) {
      out.put("kubernetes", pod(job.pod()));
    }
    putSla(out, job.sla());
    return out;
  }

  private static Map<String, Object> waitFor(JobSpec job) {
    Map<String, Object> out = new LinkedHashMap<>();
    WaitSpec w = job.waitFor();
    if (w.event() != null) {
      WaitSpec.EventWait e = w.event();
      Map<String, Object> event = new LinkedHashMap<>();
      event.put("topic", e.topic());
      event.put("key", e.key());
      event.put("match", e.match());
      putText(event, "filter", e.filter());
      putMap(event, "outputs", e.outputs());
      if (!e.buffer().equals(WaitSpec.DEFAULT_BUFFER)) {
        putDuration(event, "buffer", e.buffer());
      }
      out.put("event", event);
    } else {
      Map<String, Object> approval = new LinkedHashMap<>();
      putText(approval, "prompt", w.approval().prompt().isEmpty() ? null : w.approval().prompt());
      putList(approval, "inputs", w.approval().inputs());
      out.put("approval", approval);
    }
    putDuration(out, "timeout", job.timeout());
    return out;
  }

  private static Map<String, Object> action(StepAction action) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (action instanceof StepAction.Http h) {
      out.put("method", h.method());
      out.put("url", h.url());
      Map<String, Object> headers = new LinkedHashMap<>(h.headers());
      h.secretHeaders().forEach((name, ref) -> headers.put(name, secretRef(ref)));
      putMap(out, "headers", headers);
      putText(out, "body", h.body());
      putList(out, "expect", h.expect());
      putMap(out, "outputs", h.outputs());
    } else if (action instanceof StepAction.Service s) {
      record(out, s.topic(), s.key(), s.value());
    } else if (action instanceof StepAction.Emit e) {
      record(out, e.topic(), e.key(), e.value());
    } else if (action instanceof StepAction.Sleep s) {
      putDuration(out, "for", s.duration());
      putText(out, "until", s.until());
    }
    return out;
  }

  private static void record(Map<String, Object> out, String topic, String key, JsonNode value) {
    out.put("topic", topic);
    putText(out, "key", key);
    out.put("value", plain(value));
  }

  /**
   * A record's JSON value as mappings, lists, strings and nulls: the parser reads leaves as text.
   */
  static Object plain(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isObject()) {
      Map<String, Object> out = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> out.put(e.getKey(), plain(e.getValue())));
      return out;
    }
    if (node.isArray()) {
      List<Object> out = new ArrayList<>();
      node.forEach(n -> out.add(plain(n)));
      return out;
    }
    return node.asText();
  }

  private static Map<String, Object> retry(RetrySpec r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("limit", r.limit());
    Map<String, Object> backoff = new LinkedHashMap<>();
    if (!r.initial().equals(JobParser.DEFAULT_BACKOFF_INITIAL)) {
      backoff.put("initial", DurationText.format(r.initial()));
    }
    if (r.factor() != JobParser.DEFAULT_BACKOFF_FACTOR) {
      backoff.put("factor", r.factor());
    }
    if (!r.max().equals(JobParser.DEFAULT_BACKOFF_MAX)) {
      backoff.put("max", DurationText.format(r.max()));
    }
    putMap(out, "backoff", backoff);
    putList(out, "on", r.on());
    return out;
  }

  private static Map<String, Object> pod(KubernetesOptions pod) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> resources = new LinkedHashMap<>();
    pod.resources()
        .forEach(
            (key, value) -> {
              int dot = key.indexOf('.');
              @SuppressWarnings("unchecked")
              Map<String, Object> kind =
                  (Map<String, Object>)
                      resources.computeIfAbsent(
                          key.substring(0, dot), k -> new LinkedHashMap<String, Object>());
              kind.put(key.substring(dot + 1), value);
            });
    putMap(out, "resources", resources);
    putMap(out, "nodeSelector", pod.nodeSelector());
    putList(out, "tolerations", pod.tolerations());
    putText(out, "serviceAccountName", pod.serviceAccountName());
    putList(out, "imagePullSecrets", pod.imagePullSecrets());
    KubernetesOptions.WarmPool warm = pod.warm();
    if (warm != null) {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("min", warm.min());
      w.put("max", warm.max());
      putDuration(w, "idleTimeout", warm.idleTimeout());
      w.put("reuse", warm.reuse());
      out.put("warm", w);
    }
    return out;
  }
}
