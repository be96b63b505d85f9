package dev.baton.artifacts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the artifact store is: {@code BATON_ARTIFACT_STORE=s3://bucket/prefix}, with {@code
 * BATON_ARTIFACT_ENDPOINT} (an S3-compatible server; path-style), {@code BATON_ARTIFACT_REGION}
 * (default us-east-1) and the credentials by reference: {@code BATON_ARTIFACT_ACCESS_KEY_FILE} and
 * {@code BATON_ARTIFACT_SECRET_KEY_FILE} (files, such as a mounted Kubernetes Secret), else the AWS
 * SDK's default chain (environment, profile, instance role).
 */
public record ArtifactSettings(
    String bucket,
    String prefix,
    String endpoint,
    String region,
    String accessKey,
    String secretKey) {

  public ArtifactSettings {
    prefix = prefix == null || prefix.isEmpty() ? "" : prefix.endsWith("/") ? prefix : prefix + "/";
    region = region == null || region.isBlank() ? "us-east-1" : region;
  }

  /** The settings of {@code env}; null when {@code BATON_ARTIFACT_STORE} is not set. */
  public static ArtifactSettings fromEnvironment(Map<String, String> env) {
    String store = env.get("BATON_ARTIFACT_STORE");
    if (store == null || store.isBlank()) {
      return null;
    }
    if (!store.startsWith("s3://") || store.length() <= "s3://".length()) {
      throw new IllegalArgumentException(
          "BATON_ARTIFACT_STORE must be s3://bucket/prefix, got '" + store + "'");
    }
    String rest = store.substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    return new ArtifactSettings(
        bucket,
        prefix,
        env.get("BATON_ARTIFACT_ENDPOINT"),
        env.get("BATON_ARTIFACT_REGION"),
        read(env, "BATON_ARTIFACT_ACCESS_KEY_FILE"),
        read(env, "BATON_ARTIFACT_SECRET_KEY_FILE"));
  }

  private static String read(Map<String, String> env, String variable) {
    String file = env.get(variable);
    if (file == null || file.isBlank()) {
      return null;
    }
    try {
      return Files.readString(Path.of(file)).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          variable + ": cannot read " + file + ": " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + prefix + (endpoint == null ? "" : " at " + endpoint);
  }
}
