package dev.baton.template;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a job's {@code artifacts: {in: {NAME: ${jobs.JOB.artifacts.NAME}}, out: {NAME: PATH}}}. A
 * path stays inside the job's {@code out} directory: relative, no {@code ..}, at most 255
 * characters. Where an {@code in} reference points is checked with the whole template ({@link
 * ArtifactChecks}).
 */
final class ArtifactParser {
  private static final Set<String> FIELDS = Set.of("in", "out");
  static final int MAX_PATH = 255;

  private final YamlFields fields;

  ArtifactParser(YamlFields fields) {
    this.fields = fields;
  }

  ArtifactSpec parse(Node node, String path) {
    Map<String, Node> f = fields.mapping(node, path, FIELDS, "a mapping with in and out");
    if (f == null) {
      return ArtifactSpec.NONE;
    }
    Map<String, String> in = names(f.get("in"), path + ".in");
    Map<String, String> out = names(f.get("out"), path + ".out");
    out.forEach((name, file) -> checkPath(file, path + ".out." + name));
    in.forEach((name, ref) -> checkReference(ref, path + ".in." + name));
    return new ArtifactSpec(in, out);
  }

  private Map<String, String> names(Node node, String path) {
    return fields.stringMap(
        node,
        path,
        null,
        ArtifactSpec.NAME,
        "an artifact's name must be letters, digits, '_', '.' or '-' (at most 63, not starting"
            + " with '.', '_' or '-')");
  }

  private void checkPath(String file, String path) {
    if (file.isBlank() || file.length() > MAX_PATH) {
      fields.error(path, "must be a file's path under $BATON_ARTIFACTS/out (1 to 255 characters)");
      return;
    }
    Path p;
    try {
      p = Path.of(file);
    } catch (InvalidPathException e) {
      fields.error(path, "is not a file path: " + e.getReason());
      return;
    }
    if (p.isAbsolute() || file.startsWith("/") || file.startsWith("~")) {
      fields.error(path, "must be relative to $BATON_ARTIFACTS/out, got '" + file + "'");
      return;
    }
    for (Path part : p) {
      if (part.toString().equals("..")) {
        fields.error(path, "must stay inside $BATON_ARTIFACTS/out: no '..', got '" + file + "'");
        return;
      }
    }
  }

  private void checkReference(String value, String path) {
    List<Placeholders.Ref> refs = Placeholders.references(value);
    boolean one =
        refs.size() == 1
            && refs.get(0) instanceof Placeholders.ArtifactRef a
            && value.strip().equals("${jobs." + a.job() + ".artifacts." + a.name() + "}");
    if (!one) {
      fields.error(
          path,
          "must be one reference to another job's artifact, ${jobs.JOB.artifacts.NAME}, got '"
              + value
              + "'");
    }
  }
}
