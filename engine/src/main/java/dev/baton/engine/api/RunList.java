package dev.baton.engine.api;

import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.RunStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code GET /api/runs}: the query checked, then the newest runs that match. */
final class RunList {
  private RunList() {}

  private static final List<String> QUERY =
      List.of("template", "status", "tenant", "since", "until", "param", "limit");

  /**
   * The newest runs that match the query ({@code template}, {@code status}, {@code tenant}, {@code
   * since}, {@code until}, {@code param}=name=value, {@code limit}; see {@link RunQuery}), as JSON
   * rows with their duration.
   */
  static List<Map<String, Object>> of(Map<String, String> q, RunStore runs, RunHistory history) {
    for (String key : q.keySet()) {
      if (!QUERY.contains(key)) {
        throw new ApiException(
            400, "unknown query parameter '" + key + "'; allowed: " + String.join(", ", QUERY));
      }
    }
    int limit;
    try {
      limit = Integer.parseInt(q.getOrDefault("limit", "50"));
    } catch (NumberFormatException e) {
      limit = 0;
    }
    if (limit < 1 || limit > 500) {
      throw new ApiException(
          400, "limit must be a whole number from 1 to 500, got '" + q.get("limit") + "'");
    }
    RunQuery query;
    try {
      query =
          RunQuery.parse(
              q.get("template"),
              q.get("status"),
              q.get("tenant"),
              q.get("since"),
              q.get("until"),
              q.get("param"),
              Instant.now());
    } catch (RunQuery.InvalidQueryException e) {
      throw new ApiException(400, e.getMessage());
    }
    List<Map<String, Object>> out = new ArrayList<>();
    Set<String> listed = new HashSet<>();
    for (RunState r : query.newest(runs, limit)) {
      out.add(row(r));
      listed.add(r.runId());
    }
    if (out.size() < limit && history != null) {
      // runs that left Redis, from the history topic, after the ones Redis still has
      for (RunState r : history.newest(query, limit - out.size(), listed)) {
        Map<String, Object> row = row(r);
        row.put("fromHistory", true);
        out.add(row);
      }
    }
    return out;
  }

  private static Map<String, Object> row(RunState r) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("runId", r.runId());
    row.put("template", r.template());
    row.put("templateVersion", r.templateVersion());
    row.put("status", r.status().name());
    row.put("tenant", r.tenantName());
    row.put("createdAt", String.valueOf(r.createdAt()));
    row.put("endedAt", r.endedAt() == null ? null : r.endedAt().toString());
    row.put(
        "durationMs",
        r.endedAt() == null || r.createdAt() == null
            ? null
            : r.endedAt().toEpochMilli() - r.createdAt().toEpochMilli());
    return row;
  }
}
