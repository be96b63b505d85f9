package dev.baton.engine.tenants;

import dev.baton.engine.state.JobSlots;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Each tenant's share of the job slots, from the tenants file ({@code BATON_TENANTS_FILE}):
 *
 * <pre>
 * tenants:
 *   team-a: {weight: 3, maxJobs: 10, maxRuns: 50}
 *   team-b: {weight: 1}
 * </pre>
 *
 * A tenant not in the file has weight 1 and no limits. A bad entry is refused with the file, the
 * line and the field.
 */
public final class TenantShares {
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  public static final int MAX_WEIGHT = 1000;

  private TenantShares() {}

  /** The file is not a valid tenants file: the message names the file, line and field. */
  public static final class InvalidTenantsFileException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidTenantsFileException(String message) {
      super(message);
    }
  }

  public static Map<String, JobSlots.Share> read(Path file) throws InvalidTenantsFileException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidTenantsFileException(file + ": cannot be read: " + e.getMessage());
    }
    return parse(file.toString(), text);
  }

  public static Map<String, JobSlots.Share> parse(String source, String text)
      throws InvalidTenantsFileException {
    Node root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
      throw new InvalidTenantsFileException(source + ":" + line + ": bad YAML: " + e.getProblem());
    }
    Map<String, JobSlots.Share> shares = new LinkedHashMap<>();
    if (root == null) {
      return shares;
    }
    if (!(root instanceof MappingNode top)) {
      throw error(
          source, root, "", "must be a mapping: tenants: {name: {weight, maxJobs, maxRuns}}");
    }
    for (NodeTuple t : top.getValue()) {
      String key = scalar(t.getKeyNode());
      if (!"tenants".equals(key)) {
        throw error(source, t.getKeyNode(), key, "unknown field (expected tenants)");
      }
      if (!(t.getValueNode() instanceof MappingNode tenants)) {
        throw error(source, t.getValueNode(), "tenants", "must be a mapping of tenant names");
      }
      for (NodeTuple e : tenants.getValue()) {
        String name = scalar(e.getKeyNode());
        String path = "tenants." + name;
        if (name == null || !NAME.matcher(name).matches()) {
          throw error(
              source,
              e.getKeyNode(),
              path,
              "not a tenant name (lower-case letters, digits and '-', at most 63)");
        }
        shares.put(name, share(source, path, e.getValueNode()));
      }
    }
    return shares;
  }

  private static JobSlots.Share share(String source, String path, Node node)
      throws InvalidTenantsFileException {
    if (!(node instanceof MappingNode map)) {
      throw error(source, node, path, "must be a mapping: {weight: 1, maxJobs: 0, maxRuns: 0}");
    }
    int weight = 1;
    int maxJobs = 0;
    int maxRuns = 0;
    for (NodeTuple f : map.getValue()) {
      String field = scalar(f.getKeyNode());
      String value = scalar(f.getValueNode());
      switch (field == null ? "" : field) {
        case "weight" -> weight = number(source, path + ".weight", f.getValueNode(), value, 1);
        case "maxJobs" -> maxJobs = number(source, path + ".maxJobs", f.getValueNode(), value, 0);
        case "maxRuns" -> maxRuns = number(source, path + ".maxRuns", f.getValueNode(), value, 0);
        default ->
            throw error(
                source,
                f.getKeyNode(),
                path + "." + field,
                "unknown field (expected weight, maxJobs, maxRuns)");
      }
    }
    return new JobSlots.Share(weight, maxJobs, maxRuns);
  }

  private static int number(String source, String path, Node node, String value, int least)
      throws InvalidTenantsFileException {
    try {
      int n = Integer.parseInt(value == null ? "" : value.strip());
      if (n >= least && n <= MAX_WEIGHT * 1000) {
        if (path.endsWith(".weight") && n > MAX_WEIGHT) {
          throw error(source, node, path, "must be from 1 to " + MAX_WEIGHT + ", got " + n);
        }
        return n;
      }
    } catch (NumberFormatException notANumber) {
      // reported below
    }
    throw error(
        source,
        node,
        path,
        "must be a whole number of at least " + least + ", got '" + value + "'");
  }

  private static String scalar(Node node) {
    return node instanceof ScalarNode s ? s.getValue() : null;
  }

  private static InvalidTenantsFileException error(
      String source, Node node, String path, String message) {
    int line = node.getStartMark().getLine() + 1;
    return new InvalidTenantsFileException(
        source + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message);
  }
}
