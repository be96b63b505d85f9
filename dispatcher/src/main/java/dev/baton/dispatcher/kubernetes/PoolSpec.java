package dev.baton.dispatcher.kubernetes;

import dev.baton.events.JobDispatch;
import dev.baton.events.PodOptions;
import dev.baton.events.WarmPool;
import dev.baton.serde.EventCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * A warm pool: pods of one shape (image, resources, placement, service account, pull secrets) and
 * how many to keep. Jobs of the same shape share a pool; its name is a hash of the shape. The spec
 * travels in each pod's annotation, so a restarted dispatcher re-adopts pools from their pods.
 */
record PoolSpec(String name, String image, PodOptions options, WarmPool warm) {
  private static final EventCodec<JobDispatch> SHAPES = EventCodec.of(JobDispatch.class);

  /**
   * The pool a dispatch runs in: its template's {@code warm:}, else the dispatcher's pool for its
   * image; null for none.
   */
  static PoolSpec of(JobDispatch d, KubernetesSettings s) {
    if (d.getImage() == null || d.getImage().isBlank() || !d.getSecretEnv().isEmpty()) {
      return null; // a job with secrets takes the cold path: its secrets reach it by reference,
      // never through an exec
    }
    PodOptions options = d.getPod();
    WarmPool warm =
        options != null && options.getWarm() != null
            ? options.getWarm()
            : s.imagePools().get(d.getImage());
    if (warm == null || warm.getMax() < 1) {
      return null;
    }
    PodOptions shape = shape(d);
    return new PoolSpec(nameOf(d.getImage(), shape), d.getImage(), shape, warm);
  }

  /** The name of the pool of the dispatch's shape, whether or not a pool is declared for it. */
  static String nameOf(JobDispatch d) {
    return d.getImage() == null || d.getImage().isBlank() || !d.getSecretEnv().isEmpty()
        ? null
        : nameOf(d.getImage(), shape(d));
  }

  private static PodOptions shape(JobDispatch d) {
    return d.getPod() == null
        ? PodOptions.newBuilder().build()
        : PodOptions.newBuilder(d.getPod()).setWarm(null).build();
  }

  /**
   * The pool the dispatcher's settings declare for {@code image} (jobs of that image without pod
   * settings of their own).
   */
  static PoolSpec forImage(String image, KubernetesSettings s) {
    return of(carrier("-", image).build(), s);
  }

  /** A dispatch that carries only an image (and what is set on it): no run, job or attempt. */
  private static JobDispatch.Builder carrier(String id, String image) {
    return JobDispatch.newBuilder()
        .setEventId(id)
        .setRunId("-")
        .setOccurredAt(Instant.EPOCH)
        .setTemplate("-")
        .setTemplateVersion(0)
        .setJob("-")
        .setAttempt(0)
        .setAttemptId(id)
        .setImage(image);
  }

  Duration idleTimeout() {
    return Duration.ofMillis(warm.getIdleTimeoutMs());
  }

  private static String nameOf(String image, PodOptions shape) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(image.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(shape.toString().getBytes(StandardCharsets.UTF_8));
      return "pool-" + HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The spec as a pod annotation: a dispatch carrying the image and options (the codec Baton
   * already has).
   */
  String toJson() {
    JobDispatch carrier =
        carrier(name, image).setPod(PodOptions.newBuilder(options).setWarm(warm).build()).build();
    return new String(SHAPES.encode(carrier), StandardCharsets.UTF_8);
  }

  /** The spec of a pod's annotation, or null when it cannot be read. */
  static PoolSpec fromJson(String json, KubernetesSettings s) {
    try {
      return json == null ? null : of(SHAPES.decode(json.getBytes(StandardCharsets.UTF_8)), s);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
