package dev.baton.dispatcher.http;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * The hosts http steps may call ({@code BATON_HTTP_ALLOWED_HOSTS}): comma-separated names, each
 * {@code host}, {@code host:port} or {@code *.domain}; {@code *} allows any (what {@code baton dev}
 * sets). Empty, the default of a deployment, allows none: a template's author must not reach the
 * cloud's metadata service or the cluster's own services through Baton.
 */
public record AllowedHosts(List<String> patterns) {
  public AllowedHosts {
    patterns =
        patterns.stream()
            .map(p -> p.strip().toLowerCase(Locale.ROOT))
            .filter(p -> !p.isEmpty())
            .toList();
    for (String p : patterns) {
      int colon = p.lastIndexOf(':');
      if (colon > 0 && !p.endsWith("]")) {
        String port = p.substring(colon + 1);
        if (!port.matches("[0-9]{1,5}")) {
          throw new IllegalArgumentException(
              "BATON_HTTP_ALLOWED_HOSTS: '" + p + "' has no port number after ':'");
        }
      }
      if (p.contains("/") || (p.contains("*") && !p.equals("*") && !p.startsWith("*."))) {
        throw new IllegalArgumentException(
            "BATON_HTTP_ALLOWED_HOSTS: '" + p + "' is not a host, host:port, *.domain or *");
      }
    }
  }

  public static AllowedHosts parse(String setting) {
    return new AllowedHosts(setting == null ? List.of() : List.of(setting.split(",")));
  }

  public static final AllowedHosts ANY = new AllowedHosts(List.of("*"));
  public static final AllowedHosts NONE = new AllowedHosts(List.of());

  /** Whether {@code url}'s host (and port) may be called. */
  public boolean allows(URI url) {
    String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
    int port =
        url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    for (String p : patterns) {
      if (p.equals("*")) {
        return true;
      }
      String name = p;
      Integer onlyPort = null;
      int colon = p.lastIndexOf(':');
      if (colon > 0 && !p.endsWith("]")) {
        name = p.substring(0, colon);
        onlyPort = Integer.valueOf(p.substring(colon + 1));
      }
      boolean hostMatches =
          name.startsWith("*.") ? host.endsWith(name.substring(1)) : host.equals(name);
      if (hostMatches && (onlyPort == null || onlyPort == port)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return patterns.isEmpty() ? "(none)" : String.join(",", patterns);
  }
}
