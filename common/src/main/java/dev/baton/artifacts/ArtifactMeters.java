package dev.baton.artifacts;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** {@code baton_artifact_bytes_total{op}}: bytes of artifacts moved through the store. */
public final class ArtifactMeters {
  private ArtifactMeters() {}

  /** The counter of {@code op}: uploaded, downloaded (the dispatcher), deleted (the sweep). */
  public static Counter bytes(MeterRegistry metrics, String op) {
    return Counter.builder("baton.artifact.bytes")
        .tag("op", op)
        .description("Bytes of artifacts moved through the store, by operation")
        .register(metrics);
  }
}
