package dev.baton.engine.api;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The web UI's files: {@code /} is its page, {@code /ui/...} its modules and stylesheet (from the
 * classpath's {@code ui/}), {@code /ui/vendor/...} the layout and YAML libraries from their
 * WebJars. Only GET and HEAD; a path outside those names is a 404. Every answer carries a content
 * security policy that allows scripts from this origin only, so text a user typed can never run as
 * script.
 */
final class UiAssets {
  /** The YAML library's modules, in the WebJar of whichever version the build put there. */
  static final String YAML =
      "/META-INF/resources/webjars/yaml/" + webJarVersion("yaml") + "/browser/dist/";

  private static final Pattern SAFE = Pattern.compile("(?:[A-Za-z0-9_.-]+/)*[A-Za-z0-9_.-]+");
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "json", "application/json",
          "svg", "image/svg+xml");
  static final String POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
          + " form-action 'self'";

  private UiAssets() {}

  /** The version of the npm WebJar {@code name} on the classpath, from its Maven properties. */
  static String webJarVersion(String name) {
    String file = "/META-INF/maven/org.webjars.npm/" + name + "/pom.properties";
    try (InputStream in = UiAssets.class.getResourceAsStream(file)) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      String version = p.getProperty("version");
      if (version == null) {
        throw new IllegalStateException("the web UI needs the " + name + " WebJar: no " + file);
      }
      return version;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Answers {@code ex}, whose host was allowed. */
  static void serve(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getPath();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      ex.getResponseHeaders().set("Allow", "GET, HEAD");
      Exchanges.send(
          ex,
          405,
          Map.of("error", "method " + method + " is not allowed on " + path + "; allowed: GET"));
      return;
    }
    String resource = resource(path);
    byte[] body = null;
    if (resource != null) {
      try (InputStream in = UiAssets.class.getResourceAsStream(resource)) {
        body = in == null ? null : in.readAllBytes();
      }
    }
    if (body == null) {
      Exchanges.send(ex, 404, Map.of("error", "no page " + path));
      return;
    }
    var headers = ex.getResponseHeaders();
    headers.set("Content-Security-Policy", POLICY);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("Cache-Control", "no-cache");
    String extension = resource.substring(resource.lastIndexOf('.') + 1);
    Exchanges.sendRaw(ex, 200, TYPES.getOrDefault(extension, "application/octet-stream"), body);
  }

  /** The classpath resource {@code path} names, or null. */
  static String resource(String path) {
    if (path.equals("/")) {
      return "/ui/index.html";
    }
    if (!path.startsWith("/ui/")) {
      return null;
    }
    String rest = path.substring("/ui/".length());
    if (!SAFE.matcher(rest).matches() || rest.contains("..")) {
      return null;
    }
    if (rest.startsWith("vendor/yaml/")) {
      return YAML + rest.substring("vendor/yaml/".length());
    }
    return rest.startsWith("vendor/") && !rest.startsWith("vendor/dagre/") ? null : "/ui/" + rest;
  }
}
