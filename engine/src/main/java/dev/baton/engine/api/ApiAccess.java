package dev.baton.engine.api;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Who may call the API, and how a browser may not be made to: the bearer tokens (each with a name,
 * which becomes the caller), the hosts the API answers (so a page of another site that rebinds its
 * name to this address reads nothing), state-changing requests refused when they come from another
 * site ({@code Origin}, {@code Sec-Fetch-Site}), and bodies only as JSON (a cross-site form or a
 * {@code text/plain} fetch cannot send one without a preflight the API never grants).
 */
final class ApiAccess {
  /** The name of a token file's line that gives only a token. */
  static final String UNNAMED = "api";

  private final Map<String, byte[]> tokens;
  private final Set<String> hosts;
  private final String localUser;

  /**
   * {@code tokenFile}: the token file's text (null: no token; then the caller is {@code
   * localUser}); {@code hosts}: the {@code host[:port]} values a request's Host may have (empty:
   * any).
   */
  ApiAccess(String tokenFile, Set<String> hosts, String localUser) {
    this.tokens = parse(tokenFile);
    this.hosts = Set.copyOf(hosts);
    this.localUser = localUser;
  }

  /**
   * The hosts a loopback API answers on {@code port}, plus {@code extra} ({@code
   * BATON_HTTP_ALLOWED_HOSTS}). An API bound elsewhere answers any host unless {@code extra} says.
   */
  static Set<String> hosts(String bound, int port, List<String> extra, boolean loopback) {
    Set<String> out = new LinkedHashSet<>();
    if (loopback) {
      for (String h : List.of("localhost", "127.0.0.1", "[::1]", bound)) {
        out.add(h.toLowerCase(Locale.ROOT));
        out.add(h.toLowerCase(Locale.ROOT) + ":" + port);
      }
    }
    extra.forEach(h -> out.add(h.strip().toLowerCase(Locale.ROOT)));
    return out;
  }

  boolean needsToken() {
    return !tokens.isEmpty();
  }

  /**
   * Tokens by name: each line {@code <name> <token>}, or a line with the token alone (named {@value
   * #UNNAMED}); blank lines and lines starting with # are skipped.
   */
  static Map<String, byte[]> parse(String file) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (file == null || file.isBlank()) {
      return out;
    }
    for (String line : file.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] parts = l.split("\\s+", 2);
      if (parts.length == 1) {
        out.put(UNNAMED, parts[0].getBytes(StandardCharsets.UTF_8));
      } else {
        out.put(parts[0], parts[1].strip().getBytes(StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** Whether the request's Host is one this API answers; otherwise answers 403. */
  boolean hostAllowed(HttpExchange ex) throws IOException {
    if (hosts.isEmpty()) {
      return true;
    }
    String host = ex.getRequestHeaders().getFirst("Host");
    if (host != null && hosts.contains(host.strip().toLowerCase(Locale.ROOT))) {
      return true;
    }
    Exchanges.send(
        ex,
        403,
        Map.of(
            "error",
            "this API does not answer for host '"
                + host
                + "' (it answers "
                + String.join(", ", hosts)
                + "; BATON_HTTP_ALLOWED_HOSTS adds names)"));
    return false;
  }

  /** The caller's name, or null after answering 401. */
  String caller(HttpExchange ex) throws IOException {
    if (tokens.isEmpty()) {
      return localUser;
    }
    String given = given(ex);
    if (given != null) {
      byte[] bytes = given.getBytes(StandardCharsets.UTF_8);
      for (Map.Entry<String, byte[]> t : tokens.entrySet()) {
        if (MessageDigest.isEqual(t.getValue(), bytes)) {
          return t.getKey();
        }
      }
    }
    ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"baton\"");
    Exchanges.send(
        ex, 401, Map.of("error", "a bearer token is required (Authorization: Bearer <token>)"));
    return null;
  }

  private static String given(HttpExchange ex) {
    String header = ex.getRequestHeaders().getFirst("Authorization");
    if (header != null && header.startsWith("Bearer ")) {
      return header.substring("Bearer ".length()).strip();
    }
    String cookies = ex.getRequestHeaders().getFirst("Cookie");
    if (cookies != null) {
      for (String c : cookies.split(";")) {
        if (c.strip().startsWith("baton_token=")) {
          return URLDecoder.decode(
              c.strip().substring("baton_token=".length()), StandardCharsets.UTF_8);
        }
      }
    }
    return null;
  }

  /**
   * Whether a request that changes something may: not from another site (its {@code Origin} is not
   * this API's, or the browser says {@code Sec-Fetch-Site: cross-site}), and with a body only as
   * JSON. Otherwise answers 403 or 415 and nothing changes.
   */
  boolean mayChange(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
      return true;
    }
    var headers = ex.getRequestHeaders();
    String origin = headers.getFirst("Origin");
    String site = headers.getFirst("Sec-Fetch-Site");
    if (site != null && (site.equalsIgnoreCase("cross-site") || site.equalsIgnoreCase("same-site"))
        || origin != null && !sameOrigin(origin, headers.getFirst("Host"))) {
      Exchanges.send(
          ex,
          403,
          Map.of(
              "error",
              "a request from another site ("
                  + (origin != null ? "Origin " + origin : "Sec-Fetch-Site " + site)
                  + ") may not change anything here"));
      return false;
    }
    String length = headers.getFirst("Content-Length");
    boolean body =
        headers.getFirst("Transfer-Encoding") != null
            || length != null && !length.strip().equals("0");
    if (body && !json(headers.getFirst("Content-Type"))) {
      Exchanges.send(
          ex,
          415,
          Map.of(
              "error",
              "the body must be JSON (Content-Type: application/json), not "
                  + headers.getFirst("Content-Type")));
      return false;
    }
    return true;
  }

  private static boolean json(String type) {
    if (type == null) {
      return false;
    }
    String media = type.split(";")[0].strip().toLowerCase(Locale.ROOT);
    return media.equals("application/json") || media.endsWith("+json");
  }

  /** Whether {@code origin} names the host the request was sent to ({@code Host}). */
  private static boolean sameOrigin(String origin, String host) {
    if (host == null || origin.equals("null")) {
      return false;
    }
    try {
      URI o = URI.create(origin);
      String authority = o.getPort() == -1 ? o.getHost() : o.getHost() + ":" + o.getPort();
      return authority != null && authority.equalsIgnoreCase(host.strip());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
