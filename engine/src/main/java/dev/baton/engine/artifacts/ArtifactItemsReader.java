package dev.baton.engine.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.artifacts.ArtifactMeters;
import dev.baton.artifacts.ArtifactStore;
import dev.baton.artifacts.FileDigest;
import dev.baton.engine.decide.ArtifactItems;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;

/**
 * Reads the items of an artifact a {@code forEach} iterates over, from the producer's record of it
 * (uri, size, sha256): only from this engine's store, at most {@link ArtifactItems#MAX_BYTES}
 * bytes, and only when the bytes are the ones recorded. An artifact is immutable, so a record
 * applied again reads the same items. Any failure is the reason the fan-out fails, never an
 * exception: the store's address is in it when the store cannot be reached.
 */
public final class ArtifactItemsReader implements Function<String, ArtifactItems> {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ArtifactStore store;
  private final Counter downloaded;

  public ArtifactItemsReader(ArtifactStore store, MeterRegistry registry) {
    this.store = store;
    this.downloaded = ArtifactMeters.bytes(registry, "downloaded");
  }

  @Override
  public ArtifactItems apply(String record) {
    JsonNode r;
    try {
      r = JSON.readTree(record);
    } catch (IOException e) {
      return ArtifactItems.failed("its record is not JSON");
    }
    if (r.isArray()) {
      return ArtifactItems.failed("it is one file per instance of a fan-out, not one file");
    }
    String uri = r.path("uri").asText("");
    long size = r.path("size").asLong(-1);
    String sha256 = r.path("sha256").asText("");
    String key = store.keyOf(uri);
    if (key == null) {
      return ArtifactItems.failed(uri + " is not in this engine's store " + store.address());
    }
    if (size > ArtifactItems.MAX_BYTES) {
      return ArtifactItems.failed(
          "it is " + size + " bytes; a forEach reads at most " + ArtifactItems.MAX_BYTES);
    }
    byte[] bytes;
    try (InputStream in = store.open(key)) {
      bytes = in.readNBytes(ArtifactItems.MAX_BYTES + 1);
    } catch (IOException | RuntimeException e) {
      return ArtifactItems.failed(
          "could not read "
              + uri
              + " from the store at "
              + store.address()
              + ": "
              + e.getMessage());
    }
    downloaded.increment(bytes.length);
    if (bytes.length != size || !sha256.equals(FileDigest.of(bytes).sha256())) {
      return ArtifactItems.failed(
          uri + " in the store is not the file the job stored (its size or SHA-256 differ)");
    }
    return ArtifactItems.parse(bytes);
  }
}
