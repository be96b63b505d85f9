package dev.baton.engine.api;

import com.sun.net.httpserver.HttpExchange;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The API's routes: which pattern a path matches, and whether the method is one it answers. */
final class Routes {
  private Routes() {}

  /** The routes: a path pattern ({@code *} one segment) and the methods it answers. */
  private static final Map<String, List<String>> ROUTES = routes();

  private static Map<String, List<String>> routes() {
    Map<String, List<String>> r = new LinkedHashMap<>();
    r.put("/api/openapi.json", List.of("GET"));
    r.put("/api/schemas/template.json", List.of("GET"));
    r.put("/api/runs", List.of("GET", "POST"));
    r.put("/api/runs/*", List.of("GET"));
    r.put("/api/runs/*/events", List.of("GET"));
    r.put("/api/runs/*/artifacts/*/*", List.of("GET"));
    r.put("/api/runs/*/cancel", List.of("POST"));
    r.put("/api/runs/*/retry", List.of("POST"));
    r.put("/api/runs/*/pause", List.of("POST"));
    r.put("/api/runs/*/resume", List.of("POST"));
    r.put("/api/runs/*/jobs/*/approve", List.of("POST"));
    r.put("/api/runs/*/jobs/*/reject", List.of("POST"));
    r.put("/api/correlations", List.of("GET"));
    r.put("/api/tenants", List.of("GET"));
    r.put("/api/templates", List.of("GET", "POST"));
    r.put("/api/templates/validate", List.of("POST")); // before the pattern that would take it
    r.put("/api/templates/*", List.of("GET"));
    r.put("/api/templates/*/versions", List.of("GET"));
    return r;
  }

  /** The route pattern {@code path} matches, or a 404 naming the path. */
  private static String routeOf(String path) {
    String[] parts = path.split("/", -1);
    for (String pattern : ROUTES.keySet()) {
      String[] want = pattern.split("/", -1);
      if (want.length != parts.length) {
        continue;
      }
      boolean match = true;
      for (int i = 0; i < want.length && match; i++) {
        match = want[i].equals("*") ? !parts[i].isEmpty() : want[i].equals(parts[i]);
      }
      if (match) {
        return pattern;
      }
    }
    throw new ApiException(
        404, "no route " + (path.isEmpty() ? "/" : path) + "; the routes are in /api/openapi.json");
  }

  /**
   * The route {@code method} on {@code path} takes: 404 when no pattern matches, 405 (with {@code
   * Allow}) when the route does not answer the method.
   */
  static String of(HttpExchange ex, String method, String path) {
    String route = routeOf(path);
    List<String> allowed = ROUTES.get(route);
    if (!allowed.contains(method)) {
      ex.getResponseHeaders().set("Allow", String.join(", ", allowed));
      throw new ApiException(
          405,
          "method "
              + method
              + " is not allowed on "
              + path
              + "; allowed: "
              + String.join(", ", allowed));
    }
    return route;
  }
}
