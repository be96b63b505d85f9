package dev.baton.template;

import dev.baton.settings.DurationText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A job's Kubernetes settings written in Java; what it leaves out is the dispatcher's default. */
public final class PodOptions {
  private final Map<String, Object> requests = new LinkedHashMap<>();
  private final Map<String, Object> limits = new LinkedHashMap<>();
  private final Map<String, Object> nodeSelector = new LinkedHashMap<>();
  private final List<Object> tolerations = new ArrayList<>();
  private final List<Object> pullSecrets = new ArrayList<>();
  private final Map<String, Object> fields = new LinkedHashMap<>();

  private PodOptions() {}

  public static PodOptions pod() {
    return new PodOptions();
  }

  /** Requested cpu and memory, such as {@code 250m} and {@code 64Mi} (null: the default). */
  public PodOptions requests(String cpu, String memory) {
    put(requests, cpu, memory);
    return this;
  }

  /** Limits of cpu and memory (null: the default). */
  public PodOptions limits(String cpu, String memory) {
    put(limits, cpu, memory);
    return this;
  }

  public PodOptions nodeSelector(String label, String value) {
    nodeSelector.put(label, value);
    return this;
  }

  /** A toleration: {@code key}, {@code operator}, {@code value}, {@code effect}. */
  public PodOptions toleration(Map<String, String> toleration) {
    tolerations.add(new LinkedHashMap<>(toleration));
    return this;
  }

  public PodOptions serviceAccountName(String account) {
    fields.put("serviceAccountName", account);
    return this;
  }

  public PodOptions imagePullSecret(String secretName) {
    pullSecrets.add(secretName);
    return this;
  }

  /** Keep idle pods of this job's shape: at least {@code min}, at most {@code max}. */
  public PodOptions warm(int min, int max, Duration idleTimeout, boolean reuse) {
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("min", min);
    w.put("max", max);
    w.put("idleTimeout", DurationText.format(idleTimeout));
    w.put("reuse", reuse);
    fields.put("warm", w);
    return this;
  }

  private static void put(Map<String, Object> kind, String cpu, String memory) {
    if (cpu != null) {
      kind.put("cpu", cpu);
    }
    if (memory != null) {
      kind.put("memory", memory);
    }
  }

  Map<String, Object> document() {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> resources = new LinkedHashMap<>();
    TemplateYaml.putMap(resources, "requests", requests);
    TemplateYaml.putMap(resources, "limits", limits);
    TemplateYaml.putMap(out, "resources", resources);
    TemplateYaml.putMap(out, "nodeSelector", nodeSelector);
    TemplateYaml.putList(out, "tolerations", tolerations);
    TemplateYaml.putList(out, "imagePullSecrets", pullSecrets);
    out.putAll(fields);
    return out;
  }
}
