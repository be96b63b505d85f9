package dev.baton.dispatcher.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Deterministic, DNS-safe names: the same attempt always gets the same pod name, so a redelivered
 * dispatch finds its pod already there. {@code baton-<slug of run-job-item-attempt>-<hash>}: the
 * slug is for people, the hash of the exact attempt id keeps two attempts with the same slug apart.
 */
public final class PodNames {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String RUN_ID = "baton.io/run-id";
  public static final String JOB = "baton.io/job";
  public static final String ATTEMPT = "baton.io/attempt";
  public static final String ITEM = "baton.io/item";

  /** Annotation with the exact attempt id (labels are cut to 63 safe characters). */
  public static final String ATTEMPT_ID = "baton.io/attempt-id";

  /**
   * Warm pools: the pool a pod belongs to, its state (idle, claimed), and the pool's settings
   * (JSON).
   */
  public static final String POOL = "baton.io/pool";

  public static final String POOL_STATE = "baton.io/state";
  public static final String POOL_SPEC = "baton.io/pool-spec";
  public static final String IDLE = "idle";
  public static final String CLAIMED = "claimed";

  private PodNames() {}

  public static String of(String attemptId) {
    String slug =
        attemptId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (slug.length() > 47) {
      slug = slug.substring(0, 47).replaceAll("-+$", "");
    }
    return "baton-" + slug + "-" + hash(attemptId);
  }

  /** A label value: at most 63 of [A-Za-z0-9-_.], starting and ending with an alphanumeric. */
  public static String labelValue(String value) {
    String v = value.replaceAll("[^A-Za-z0-9._-]+", "-");
    if (v.length() > 63) {
      v = v.substring(0, 54) + "-" + hash(value);
    }
    return v.replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
  }

  private static String hash(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)))
          .substring(0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
