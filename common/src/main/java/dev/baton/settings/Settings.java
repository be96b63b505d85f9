package dev.baton.settings;

import dev.baton.kafka.KafkaProperties;
import dev.baton.serde.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A service's {@code BATON_*} settings, read once at start-up: the file named by {@value
 * #FILE_VARIABLE} ({@code KEY=value} lines, {@code #} comments, as a compose {@code env_file}),
 * then the environment, which wins. A value that is not what its key needs is an error naming the
 * key, and the file's line when it came from the file.
 */
public final class Settings {
  public static final String FILE_VARIABLE = "BATON_CONFIG_FILE";

  private final Map<String, String> values;
  private final Map<String, String> origins;

  private Settings(Map<String, String> values, Map<String, String> origins) {
    this.values = Map.copyOf(values);
    this.origins = Map.copyOf(origins);
  }

  /**
   * The file named by {@value #FILE_VARIABLE} in {@code env} (if any), overridden by {@code env}.
   */
  public static Settings of(Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> origins = new HashMap<>();
    String file = env.get(FILE_VARIABLE);
    if (file != null && !file.isBlank()) {
      readFile(Path.of(file), values, origins);
    }
    env.forEach(
        (k, v) -> {
          if (v != null) {
            values.put(k, v);
            origins.remove(k);
          }
        });
    return new Settings(values, origins);
  }

  private static void readFile(Path file, Map<String, String> values, Map<String, String> origins) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          FILE_VARIABLE + ": cannot read " + file + ": " + e.getMessage(), e);
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      String key = eq < 0 ? "" : line.substring(0, eq).strip();
      if (!key.startsWith("BATON_") || key.equals(FILE_VARIABLE)) {
        throw new IllegalArgumentException(
            file + " line " + (i + 1) + ": expected BATON_NAME=value, got '" + line + "'");
      }
      values.put(key, line.substring(eq + 1).strip());
      origins.put(key, file + " line " + (i + 1));
    }
  }

  /** Every setting, file and environment merged (for readers that take a map). */
  public Map<String, String> asMap() {
    return values;
  }

  /** The value, or null when not set or blank. */
  public String get(String key) {
    String v = values.get(key);
    return v == null || v.isBlank() ? null : v;
  }

  public String get(String key, String fallback) {
    String v = get(key);
    return v == null ? fallback : v;
  }

  /** The value, or an error naming the key. */
  public String required(String key) {
    String v = get(key);
    if (v == null) {
      throw new IllegalArgumentException(key + " is required");
    }
    return v;
  }

  /** The whole number in {@code key}, or {@code fallback} when it is not set. */
  public long number(String key, long fallback) {
    String value = get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw error(key, "must be a whole number, got '" + value + "'");
    }
  }

  /** As {@link #number}, within the range of an int. */
  public int integer(String key, int fallback) {
    long n = number(key, fallback);
    if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
      throw error(key, "is out of range: " + n);
    }
    return (int) n;
  }

  /** Milliseconds in {@code key} (a whole number), or {@code fallback}. */
  public Duration millis(String key, Duration fallback) {
    return get(key) == null ? fallback : Duration.ofMillis(number(key, 0));
  }

  /**
   * The wire encoding: {@code BATON_ENCODING} (json, avro), {@code BATON_REGISTRY_URL} and {@code
   * BATON_REGISTRY_USER_INFO}.
   */
  public Wire wire() {
    return Wire.of(
        get("BATON_ENCODING"), get("BATON_REGISTRY_URL"), get("BATON_REGISTRY_USER_INFO"));
  }

  /**
   * Kafka client properties ({@code BATON_KAFKA_*}, see {@link dev.baton.kafka.KafkaProperties}).
   */
  public Map<String, String> kafka() {
    return KafkaProperties.fromEnv(values);
  }

  /** An error about {@code key}'s value, naming the key and the file line it came from. */
  public IllegalArgumentException error(String key, String problem) {
    String origin = origins.get(key);
    return new IllegalArgumentException(
        key + (origin == null ? "" : " (" + origin + ")") + " " + problem);
  }
}
