package dev.baton.dispatcher.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.template.ArtifactSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the outputs a job wrote to {@code $BATON_OUTPUTS}: a JSON object, or {@code key=value}
 * lines (blank lines and {@code #} comments skipped). A missing file means no outputs.
 */
public final class OutputsFile {
  public static final int MAX_BYTES = 64 * 1024;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OutputsFile() {}

  /**
   * The outputs; throws {@link IllegalArgumentException} with a message for the job's error when
   * unreadable.
   */
  public static Map<String, String> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Map.of();
    }
    if (Files.size(file) > MAX_BYTES) {
      throw new IllegalArgumentException(
          "outputs file is larger than " + MAX_BYTES / 1024 + " KiB");
    }
    Map<String, String> outputs = parse(Files.readString(file, StandardCharsets.UTF_8));
    for (String key : outputs.keySet()) {
      if (key.startsWith(ArtifactSpec.OUTPUT_PREFIX)) {
        throw new IllegalArgumentException(
            "outputs file key '"
                + key
                + "' is reserved: the runtime reports the artifacts it stored under "
                + ArtifactSpec.OUTPUT_PREFIX);
      }
    }
    return outputs;
  }

  /** A JSON object's fields as outputs: values as their text, objects and arrays as JSON. */
  public static Map<String, String> fromObject(JsonNode node) {
    Map<String, String> outputs = new LinkedHashMap<>();
    node.properties()
        .forEach(
            e ->
                outputs.put(
                    e.getKey(),
                    e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
    return outputs;
  }

  public static Map<String, String> parse(String text) {
    Map<String, String> outputs = new LinkedHashMap<>();
    String trimmed = text.strip();
    if (trimmed.startsWith("{")) {
      JsonNode node;
      try {
        node = MAPPER.readTree(trimmed);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "outputs file starts with '{' but is not a valid JSON object");
      }
      return fromObject(node);
    }
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      int eq = l.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "outputs file line " + lineNo + " is not key=value: '" + l + "'");
      }
      outputs.put(l.substring(0, eq).strip(), l.substring(eq + 1));
    }
    return outputs;
  }
}
