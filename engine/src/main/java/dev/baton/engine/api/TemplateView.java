package dev.baton.engine.api;

import dev.baton.engine.triggers.TemplateCatalog;
import dev.baton.template.JobSpec;
import dev.baton.template.StepKinds;
import dev.baton.template.StoredTemplate;
import dev.baton.template.Template;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A template as the API shows it: its fields and its DAG as nodes and edges (a job's dependencies
 * point at it).
 */
final class TemplateView {
  private TemplateView() {}

  /** {@code stored}: the text it was applied with (comments and all), who applied it and when. */
  static Map<String, Object> of(Template t, StoredTemplate stored) {
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
    out.put("yaml", stored.source());
    out.put("appliedBy", stored.appliedBy());
    out.put("appliedAt", stored.appliedAt());
    return out;
  }

  /**
   * {@code GET /api/templates/{name}}: the latest version ({@code latestKey}), or the one {@code
   * ?version=} names.
   */
  static Map<String, Object> version(
      String latestKey, String name, Map<String, String> query, TemplateCatalog store) {
    String version = query.get("version");
    String key = version == null ? latestKey : Template.storeKey(name, number(version));
    StoredTemplate s = store.stored(key);
    Template t = s == null ? null : store.parsed(key);
    if (t == null) {
      throw new ApiException(
          404,
          s == null
              ? "no template '" + name + "' at version " + version
              : "template " + key + " in the store does not parse");
    }
    return of(t, s);
  }

  private static int number(String version) {
    try {
      return Integer.parseInt(version);
    } catch (NumberFormatException e) {
      throw new ApiException(400, "version must be a whole number, not '" + version + "'");
    }
  }

  /** {@code GET /api/templates/{name}/versions}: each version, who applied it and when. */
  static List<Map<String, Object>> versions(String name, List<StoredTemplate> stored) {
    if (stored.isEmpty()) {
      throw new ApiException(404, "no template '" + name + "'");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (StoredTemplate s : stored) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("version", s.version());
      v.put("appliedBy", s.appliedBy());
      v.put("appliedAt", s.appliedAt());
      out.add(v);
    }
    return out;
  }

  /**
   * {@code GET /api/templates}: each template's name, latest version, description, and who applied
   * that version when, by name.
   */
  static List<Map<String, Object>> list(
      List<Template> templates, Function<String, StoredTemplate> stored) {
    List<Map<String, Object>> out = new ArrayList<>();
    templates.stream()
        .sorted(Comparator.comparing(Template::name))
        .forEach(
            t -> {
              Map<String, Object> row = new LinkedHashMap<>();
              row.put("name", t.name());
              row.put("version", t.version());
              row.put("description", t.description());
              StoredTemplate s = stored.apply(t.storeKey());
              row.put("appliedBy", s == null ? null : s.appliedBy());
              row.put("appliedAt", s == null ? null : s.appliedAt());
              out.add(row);
            });
    return out;
  }
}
