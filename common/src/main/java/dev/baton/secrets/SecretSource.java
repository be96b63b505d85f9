package dev.baton.secrets;

import dev.baton.events.SecretRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the local runtime and webhooks find the values of secret references: the file {@code
 * <dir>/<name>/<key>} of {@code BATON_SECRETS_DIR} (the layout of a Kubernetes Secret mounted as a
 * volume), else the dispatcher's variable {@code BATON_SECRET_<NAME>_<KEY>} (upper case, other
 * characters as '_').
 */
public final class SecretSource {
  private final Path dir;
  private final Map<String, String> env;

  public SecretSource(Path dir, Map<String, String> env) {
    this.dir = dir;
    this.env = Map.copyOf(env);
  }

  /** No secrets: every reference is missing. */
  public static SecretSource none() {
    return new SecretSource(null, Map.of());
  }

  public static SecretSource fromEnv(Map<String, String> env) {
    String dir = env.get("BATON_SECRETS_DIR");
    return new SecretSource(dir == null || dir.isBlank() ? null : Path.of(dir), env);
  }

  /** The value, or empty when this dispatcher has no such secret. */
  public Optional<String> value(SecretRef ref) {
    if (dir != null && safe(ref.getName()) && safe(ref.getKey())) {
      Path file = dir.resolve(ref.getName()).resolve(ref.getKey());
      if (Files.isRegularFile(file)) {
        try {
          return Optional.of(stripNewline(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.ofNullable(env.get(variable(ref)));
  }

  public static String variable(SecretRef ref) {
    return ("BATON_SECRET_" + ref.getName() + "_" + ref.getKey())
        .toUpperCase(Locale.ROOT)
        .replaceAll("[^A-Z0-9_]", "_");
  }

  /** A name or key never walks out of the secrets directory. */
  private static boolean safe(String part) {
    return !part.isEmpty()
        && !part.equals(".")
        && !part.equals("..")
        && !part.contains("/")
        && !part.contains("\\");
  }

  private static String stripNewline(String s) {
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }
}
