package dev.baton.template;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.settings.DurationText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One job of a template written in Java. A job runs a command ({@link #command}), or is a step
 * Baton carries out ({@link #http}, {@link #service}, {@link #emit}, {@link #sleep}), a wait
 * ({@link #waitFor}, {@link #approval}) or a child run ({@link #run}); giving two kinds is refused
 * at {@link TemplateBuilder#build()} as the YAML would be. Text may hold {@code ${...}} references.
 */
public final class JobBuilder {
  private final Map<String, Object> doc = new LinkedHashMap<>();
  private final Map<String, Object> env = new LinkedHashMap<>();
  private Map<String, Object> waitFor;

  JobBuilder(String name) {
    doc.put("name", name);
  }

  /** The argv the job runs; no shell unless it is {@code sh -c ...} itself. */
  public JobBuilder command(String... argv) {
    doc.put("command", List.of(argv));
    return this;
  }

  /** The image the Kubernetes runtime runs the command in. */
  public JobBuilder image(String image) {
    doc.put("image", image);
    return this;
  }

  public JobBuilder env(String variable, String value) {
    env.put(variable, value);
    return this;
  }

  /** An environment variable the runtime reads from a Kubernetes secret's key. */
  public JobBuilder secretEnv(String variable, String secretName, String key) {
    env.put(variable, TemplateYaml.secretRef(new JobSpec.SecretRef(secretName, key)));
    return this;
  }

  /** The output keys the job promises to write. */
  public JobBuilder outputs(String... keys) {
    doc.put("outputs", List.of(keys));
    return this;
  }

  /**
   * A file the job writes at {@code $BATON_ARTIFACTS/out/<path>}, uploaded to the artifact store as
   * {@code name} when its attempt succeeds.
   */
  public JobBuilder artifactOut(String name, String path) {
    artifacts("out").put(name, path);
    return this;
  }

  /**
   * Job {@code job}'s artifact {@code name}, put at {@code $BATON_ARTIFACTS/in/<name>} before this
   * job starts.
   */
  public JobBuilder artifactIn(String job, String name) {
    artifacts("in").put(name, "${jobs." + job + ".artifacts." + name + "}");
    return this;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> artifacts(String side) {
    Map<String, Object> artifacts =
        (Map<String, Object>) doc.computeIfAbsent("artifacts", k -> new LinkedHashMap<>());
    return (Map<String, Object>) artifacts.computeIfAbsent(side, k -> new LinkedHashMap<>());
  }

  /** The jobs this one runs after; none given: the job added before it. */
  public JobBuilder dependsOn(String... jobs) {
    doc.put("dependsOn", List.of(jobs));
    return this;
  }

  /** Runs only when this CEL expression is true; otherwise the job is skipped. */
  public JobBuilder when(String cel) {
    doc.put("when", cel);
    return this;
  }

  /** One instance per item of this list ({@code jobs.list.outputs.items}), each with ${item}. */
  public JobBuilder forEach(String list) {
    doc.put("forEach", list);
    return this;
  }

  /**
   * One instance per line of artifact {@code name} of {@code job} (per element when it holds a JSON
   * array), each with ${item}.
   */
  public JobBuilder forEachLineOf(String job, String name) {
    return forEach("jobs." + job + ".artifacts." + name);
  }

  /** At most this many instances at once (0: no limit). */
  public JobBuilder maxParallel(int instances) {
    doc.put("maxParallel", instances);
    return this;
  }

  /** At most {@code limit} more attempts, with the default backoff. */
  public JobBuilder retry(int limit, String... onlyOn) {
    return retry(
        limit,
        JobParser.DEFAULT_BACKOFF_INITIAL,
        JobParser.DEFAULT_BACKOFF_FACTOR,
        JobParser.DEFAULT_BACKOFF_MAX,
        onlyOn);
  }

  /**
   * At most {@code limit} more attempts, waiting {@code initial * factor^(n-1)} (at most {@code
   * max}) before retry n; only for the failures {@code onlyOn} lists (exit codes, or {@code
   * failed}, {@code timeout}, {@code lost}), every failure when it lists none.
   */
  public JobBuilder retry(
      int limit, Duration initial, double factor, Duration max, String... onlyOn) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("limit", limit);
    Map<String, Object> backoff = new LinkedHashMap<>();
    backoff.put("initial", DurationText.format(initial));
    backoff.put("factor", factor);
    backoff.put("max", DurationText.format(max));
    r.put("backoff", backoff);
    if (onlyOn.length > 0) {
      r.put("on", List.of(onlyOn));
    }
    doc.put("retry", r);
    return this;
  }

  /** Bounds each attempt (a wait: the wait), from its start. */
  public JobBuilder timeout(Duration timeout) {
    doc.put("timeout", DurationText.format(timeout));
    return this;
  }

  /** How long an attempt may wait for a dispatcher to start it (10m unless given). */
  public JobBuilder startTimeout(Duration timeout) {
    doc.put("startTimeout", DurationText.format(timeout));
    return this;
  }

  /** {@code local} or {@code kubernetes}; the dispatcher's default unless given. */
  public JobBuilder runtime(String runtime) {
    doc.put("runtime", runtime);
    return this;
  }

  public JobBuilder kubernetes(PodOptions pod) {
    doc.put("kubernetes", pod.document());
    return this;
  }

  /** How long the job should take; a job past it is reported, not stopped. */
  public JobBuilder sla(Duration sla) {
    doc.put("sla", Map.of("duration", DurationText.format(sla)));
    return this;
  }

  /** Reuse a succeeded result of the same key for 7 days instead of running again. */
  public JobBuilder cache(String key) {
    doc.put("cache", Map.of("key", key));
    return this;
  }

  public JobBuilder cache(String key, Duration ttl) {
    doc.put("cache", Map.of("key", key, "ttl", DurationText.format(ttl)));
    return this;
  }

  /** Runs the latest version of another template as a child run; its outputs are the job's. */
  public JobBuilder run(String template, Map<String, String> params) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("template", template);
    if (!params.isEmpty()) {
      r.put("params", new LinkedHashMap<>(params));
    }
    doc.put("run", r);
    return this;
  }

  /** Calls an HTTP endpoint: {@code http(post(url).body(...))}. */
  public JobBuilder http(HttpCall call) {
    doc.put("http", call.document());
    return this;
  }

  /** Asks a service on Kafka with an empty request; it answers with a completion. */
  public JobBuilder service(String topic) {
    return service(topic, null, Map.of());
  }

  /**
   * Asks a service on Kafka: a record on {@code topic} keyed by {@code key} (null: none) whose
   * value is {@code value} (maps, lists, text, numbers, booleans or a {@link JsonNode}; leaves are
   * sent as text).
   */
  public JobBuilder service(String topic, String key, Object value) {
    doc.put("service", record(topic, key, value));
    return this;
  }

  /** Publishes one record and succeeds. */
  public JobBuilder emit(String topic, String key, Object value) {
    doc.put("emit", record(topic, key, value));
    return this;
  }

  /** A durable pause. */
  public JobBuilder sleep(Duration duration) {
    doc.put("sleep", Map.of("for", DurationText.format(duration)));
    return this;
  }

  /** A durable pause until an instant, such as {@code ${params.day}T06:00:00Z}. */
  public JobBuilder sleepUntil(String instant) {
    doc.put("sleep", Map.of("until", instant));
    return this;
  }

  /** Waits for one keyed event; its timeout is {@link #timeout}. */
  public JobBuilder waitFor(EventMatch event) {
    waitFor = Map.of("event", event.document());
    return this;
  }

  /** Waits for a person to approve, giving {@code inputs}, which become the job's outputs. */
  public JobBuilder approval(String prompt, String... inputs) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("prompt", prompt);
    if (inputs.length > 0) {
      a.put("inputs", List.of(inputs));
    }
    waitFor = Map.of("approval", a);
    return this;
  }

  Map<String, Object> document() {
    Map<String, Object> out = new LinkedHashMap<>(doc);
    if (!env.isEmpty()) {
      out.put("env", env);
    }
    if (waitFor != null) {
      Map<String, Object> w = new LinkedHashMap<>(waitFor);
      Object timeout = out.remove("timeout");
      if (timeout != null) {
        w.put("timeout", timeout);
      }
      out.put("wait", w);
    }
    return out;
  }

  private static Map<String, Object> record(String topic, String key, Object value) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("topic", topic);
    if (key != null) {
      r.put("key", key);
    }
    r.put("value", plain(value));
    return r;
  }

  /** A record value as the YAML tree: mappings, lists, text and nulls. */
  private static Object plain(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof JsonNode node) {
      return JobDocument.plain(node);
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
      return out;
    }
    if (value instanceof Iterable<?> items) {
      List<Object> out = new ArrayList<>();
      items.forEach(v -> out.add(plain(v)));
      return out;
    }
    if (value instanceof Object[] items) {
      return plain(Arrays.asList(items));
    }
    if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    throw new IllegalArgumentException(
        "a record value is maps, lists, text, numbers and booleans, not a "
            + value.getClass().getName());
  }
}
