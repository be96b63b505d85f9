package dev.baton.engine.api;

import dev.baton.template.JobSpec;
import dev.baton.template.StepKinds;
import dev.baton.template.Template;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A template as the API shows it: its fields and its DAG as nodes and edges (a job's dependencies
 * point at it).
 */
final class TemplateView {
  private TemplateView() {}

  /** {@code yaml}: the text it was applied with (comments and all), or null. */
  static Map<String, Object> of(Template t, String yaml) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", t.name());
    out.put("version", t.version());
    out.put("description", t.description());
    Map<String, Object> params = new LinkedHashMap<>();
    t.params()
        .forEach(
            (k, v) ->
                params.put(
                    k,
                    Map.of(
                        "required",
                        v.required(),
                        "default",
                        v.defaultValue() == null ? "" : v.defaultValue())));
    out.put("params", params);
    out.put("outputs", t.outputs());
    List<Map<String, Object>> nodes = new ArrayList<>();
    List<Map<String, String>> edges = new ArrayList<>();
    for (JobSpec j : t.jobs()) {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("id", j.name());
      node.put("forEach", j.forEach());
      node.put("when", j.when());
      node.put("run", j.run() == null ? null : j.run().template());
      node.put("cache", j.cache() == null ? null : j.cache().key());
      node.put("kind", StepKinds.kind(j));
      node.put("calls", StepKinds.calls(j));
      nodes.add(node);
      for (String d : j.dependsOn()) {
        Map<String, String> edge = new LinkedHashMap<>();
        edge.put("from", d);
        edge.put("to", j.name());
        edges.add(edge);
      }
    }
    out.put("dag", Map.of("nodes", nodes, "edges", edges));
    out.put("yaml", yaml);
    return out;
  }

  /** {@code GET /api/templates}: each template's name, version and description, by name. */
  static List<Map<String, Object>> list(List<Template> templates) {
    List<Map<String, Object>> out = new ArrayList<>();
    templates.stream()
        .sorted(Comparator.comparing(Template::name))
        .forEach(
            t ->
                out.add(
                    Map.of(
                        "name", t.name(), "version", t.version(), "description", t.description())));
    return out;
  }
}
