package dev.baton.engine.api;

import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.engine.state.RunRepository;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /api/runs}: the query checked, then the newest runs that match. */
final class RunList {
  private RunList() {}

  private static final List<String> QUERY = List.of("template", "status", "tenant", "limit");

  /**
   * The newest runs that match the query ({@code template}, {@code status}, {@code tenant}, {@code
   * limit}), as JSON rows.
   */
  static List<Map<String, Object>> of(Map<String, String> q, RunRepository runs) {
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
    if (q.containsKey("status")
        && java.util.Arrays.stream(RunStatus.values())
            .noneMatch(st -> st.name().equalsIgnoreCase(q.get("status")))) {
      throw new ApiException(
          400,
          "status must be one of "
              + java.util.Arrays.stream(RunStatus.values())
                  .map(Enum::name)
                  .collect(java.util.stream.Collectors.joining(", "))
              + ", got '"
              + q.get("status")
              + "'");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    // The newest runs, read in one pipeline: one Redis round trip per request, not one per run.
    for (RunState r : runs.findAll(runs.recentRuns(limit * 10))) {
      if ((q.containsKey("template") && !r.template().equals(q.get("template")))
          || (q.containsKey("tenant") && !r.tenantName().equals(q.get("tenant")))
          || (q.containsKey("status") && !r.status().name().equalsIgnoreCase(q.get("status")))) {
        continue;
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("runId", r.runId());
      row.put("template", r.template());
      row.put("templateVersion", r.templateVersion());
      row.put("status", r.status().name());
      row.put("tenant", r.tenantName());
      row.put("createdAt", String.valueOf(r.createdAt()));
      row.put("endedAt", r.endedAt() == null ? null : r.endedAt().toString());
      out.add(row);
      if (out.size() == limit) {
        break;
      }
    }
    return out;
  }
}
