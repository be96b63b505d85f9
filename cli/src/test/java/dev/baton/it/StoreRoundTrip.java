package dev.baton.it;

import dev.baton.artifacts.ArtifactSettings;
import dev.baton.artifacts.S3ArtifactStore;
import java.nio.file.Path;

/**
 * Run in a JVM of its own with a small heap by {@link ArtifactsIT}: uploads a file to the artifact
 * store and downloads it again, as the dispatcher does, so that a transfer that held the file in
 * memory would fail here. Arguments: endpoint, bucket, access key, secret key, file, copy.
 */
public final class StoreRoundTrip {
  private StoreRoundTrip() {}

  public static void main(String[] args) throws Exception {
    var settings = new ArtifactSettings(args[1], "heap", args[0], null, args[2], args[3]);
    try (var store = new S3ArtifactStore(settings)) {
      store.put("heap/round-trip", Path.of(args[4]));
      store.get("heap/round-trip", Path.of(args[5]));
    }
    System.out.println("max heap " + Runtime.getRuntime().maxMemory());
  }
}
