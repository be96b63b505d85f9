package dev.baton.template;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads a job's {@code kubernetes}: resources, placement, pull secrets and a warm pool. */
final class PodParser extends YamlFields {
  private static final Set<String> POD_FIELDS =
      Set.of(
          "resources",
          "nodeSelector",
          "tolerations",
          "serviceAccountName",
          "imagePullSecrets",
          "warm");
  private static final Set<String> WARM_FIELDS = Set.of("min", "max", "idleTimeout", "reuse");

  /** Warm pools when a template gives no size or idle time. */
  static final int DEFAULT_WARM_MAX = 5;

  static final Duration DEFAULT_WARM_IDLE = Duration.ofMinutes(10);

  PodParser(YamlFields shared) {
    super(shared);
  }

  KubernetesOptions pod(Node node, String path) {
    Map<String, Node> f =
        mapping(
            node,
            path,
            POD_FIELDS,
            "a mapping with resources, nodeSelector, tolerations, serviceAccountName, imagePullSecrets, warm");
    if (f == null) {
      return null;
    }
    Map<String, String> resources = new LinkedHashMap<>();
    Node res = f.get("resources");
    if (res instanceof MappingNode r) {
      for (Map.Entry<String, Node> kind :
          fields(r, path + ".resources", Set.of("requests", "limits")).entrySet()) {
        stringMap(kind.getValue(), path + ".resources." + kind.getKey())
            .forEach(
                (k, v) -> {
                  if (!k.equals("cpu") && !k.equals("memory")) {
                    error(
                        path + ".resources." + kind.getKey() + "." + k,
                        "only cpu and memory are set per job");
                  }
                  resources.put(kind.getKey() + "." + k, v);
                });
      }
    } else if (res != null && !isNull(res)) {
      error(path + ".resources", "must be a mapping with requests and limits");
    }
    Map<String, String> nodeSelector = labelMap(f.get("nodeSelector"), path + ".nodeSelector");
    List<Map<String, String>> tolerations =
        tolerations(f.get("tolerations"), path + ".tolerations");
    String serviceAccount =
        optionalString(f.get("serviceAccountName"), path + ".serviceAccountName");
    List<String> pullSecrets =
        stringList(f.get("imagePullSecrets"), path + ".imagePullSecrets", false);
    return new KubernetesOptions(
        resources,
        nodeSelector,
        tolerations,
        serviceAccount,
        pullSecrets,
        warm(f.get("warm"), path + ".warm"));
  }

  private List<Map<String, String>> tolerations(Node tol, String path) {
    List<Map<String, String>> tolerations = new ArrayList<>();
    if (tol instanceof SequenceNode seq) {
      for (int i = 0; i < seq.getValue().size(); i++) {
        Node t = seq.getValue().get(i);
        String tpath = path + "[" + i + "]";
        lines.put(tpath, t.getStartMark().getLine() + 1);
        if (t instanceof MappingNode tm) {
          Map<String, String> one = new LinkedHashMap<>();
          fields(tm, tpath, new HashSet<>(KubernetesOptions.TOLERATION_KEYS))
              .forEach((k, v) -> one.put(k, scalar(v, tpath + "." + k)));
          tolerations.add(one);
        } else {
          error(tpath, "a toleration is a mapping with key, operator, value, effect");
        }
      }
    } else if (tol != null && !isNull(tol)) {
      error(path, "must be a list of tolerations");
    }
    return tolerations;
  }

  KubernetesOptions.WarmPool warm(Node node, String path) {
    Map<String, Node> f =
        mapping(node, path, WARM_FIELDS, "a mapping with min, max, idleTimeout, reuse");
    if (f == null) {
      return null;
    }
    int min = nonNegativeInt(f.get("min"), path + ".min", 0);
    int max =
        f.get("max") == null
            ? Math.max(DEFAULT_WARM_MAX, min)
            : nonNegativeInt(f.get("max"), path + ".max", DEFAULT_WARM_MAX);
    if (max < 1) {
      error(path + ".max", "must be at least 1, got " + max);
    } else if (min > max) {
      error(path + ".min", "must not be more than max (" + max + "), got " + min);
    }
    Duration idle =
        orDefault(duration(f.get("idleTimeout"), path + ".idleTimeout"), DEFAULT_WARM_IDLE);
    boolean reuse = bool(f.get("reuse"), path + ".reuse", false);
    return new KubernetesOptions.WarmPool(min, max, idle, reuse);
  }
}
