package dev.baton.template;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job's files passed through the artifact store: {@code out} names each file the job writes under
 * {@code $BATON_ARTIFACTS/out/} (name → path relative to it), uploaded when its attempt succeeds;
 * {@code in} names each file put under {@code $BATON_ARTIFACTS/in/<name>} before the job starts
 * (name → {@code ${jobs.JOB.artifacts.NAME}}).
 */
public record ArtifactSpec(Map<String, String> in, Map<String, String> out) {
  /** A job without artifacts. */
  public static final ArtifactSpec NONE = new ArtifactSpec(Map.of(), Map.of());

  /** An artifact's name: a file name without a path, at most 63 characters. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

  /** A {@code forEach} over an artifact: {@code jobs.JOB.artifacts.NAME}, alone. */
  private static final Pattern FOR_EACH =
      Pattern.compile("\\s*jobs\\.([A-Za-z0-9_-]+)\\.artifacts\\.([A-Za-z0-9_.-]+)\\s*");

  /** A value that is one artifact reference and nothing else. */
  private static final Pattern EXACTLY =
      Pattern.compile("\\$\\{jobs\\.([A-Za-z0-9_-]+)\\.artifacts\\.([A-Za-z0-9_.-]+)}");

  /** The output key under which a job's report carries an artifact it produced. */
  public static final String OUTPUT_PREFIX = "artifact:";

  public ArtifactSpec {
    in = Ordered.copy(in);
    out = Ordered.copy(out);
  }

  public boolean isEmpty() {
    return in.isEmpty() && out.isEmpty();
  }

  /** The output key of artifact {@code name}: a key no job can write itself. */
  public static String outputKey(String name) {
    return OUTPUT_PREFIX + name;
  }

  /**
   * The artifact a {@code forEach} iterates over ({@code jobs.JOB.artifacts.NAME}: one instance per
   * line, or per element when it holds a JSON array); empty when {@code forEach} is an expression.
   */
  public static Optional<Placeholders.ArtifactRef> forEachOver(String forEach) {
    if (forEach == null) {
      return Optional.empty();
    }
    Matcher m = FOR_EACH.matcher(forEach);
    return m.matches()
        ? Optional.of(new Placeholders.ArtifactRef(m.group(1), m.group(2)))
        : Optional.empty();
  }

  /** The artifact {@code value} refers to when it is one reference and nothing else. */
  public static Optional<Placeholders.ArtifactRef> exactly(String value) {
    Matcher m = value == null ? null : EXACTLY.matcher(value);
    return m != null && m.matches()
        ? Optional.of(new Placeholders.ArtifactRef(m.group(1), m.group(2)))
        : Optional.empty();
  }

  /**
   * Whether {@code name} may name an artifact: a file name without a path, at most 63 characters.
   */
  public static boolean isName(String name) {
    return NAME.matcher(name).matches();
  }

  /**
   * Where an attempt's artifacts are stored under the store's prefix: run, job (with its item),
   * attempt number. The run's id is URL-encoded: an id from a trigger may hold '/', which would
   * nest it under another run's name.
   */
  public static String attemptPath(String runId, String job, Integer item, int attempt) {
    return java.net.URLEncoder.encode(runId, java.nio.charset.StandardCharsets.UTF_8)
        + "/"
        + (item == null ? job : job + "[" + item + "]")
        + "/"
        + attempt;
  }
}
