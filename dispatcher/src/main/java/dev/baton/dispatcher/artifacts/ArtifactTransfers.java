package dev.baton.dispatcher.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.artifacts.ArtifactMeters;
import dev.baton.artifacts.ArtifactStore;
import dev.baton.artifacts.FileDigest;
import dev.baton.events.JobDispatch;
import dev.baton.template.ArtifactSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a job's artifacts between its directory and the store: {@code in} artifacts are put at
 * {@code $BATON_ARTIFACTS/in/NAME} before the job starts (their size and SHA-256 checked against
 * the producer's record), {@code out} artifacts are read from {@code $BATON_ARTIFACTS/out/PATH}
 * once it succeeded and stored under the attempt that produced them ({@code
 * PREFIX/RUN/JOB/ATTEMPT/NAME}; an instance's under {@code JOB[ITEM]}). An artifact must be a
 * regular file inside the out directory: a symbolic link, or a path through one, is refused, so a
 * job cannot upload a file outside its own directory. Each stored artifact is reported as the
 * output {@code artifact:NAME}: JSON with its uri, size, sha256 and attempt.
 */
public final class ArtifactTransfers {
  private static final Logger LOG = LoggerFactory.getLogger(ArtifactTransfers.class);

  /** The variable that names a job's artifact directory. */
  public static final String VARIABLE = "BATON_ARTIFACTS";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ArtifactStore store;
  private final Counter uploaded;
  private final Counter downloaded;

  /**
   * {@code store} null: a job with artifacts fails with a message saying how to set one. The bytes
   * moved are counted in {@code metrics} as {@code baton_artifact_bytes_total{op}}.
   */
  public ArtifactTransfers(ArtifactStore store, MeterRegistry metrics) {
    this.store = store;
    this.uploaded = ArtifactMeters.bytes(metrics, "uploaded");
    this.downloaded = ArtifactMeters.bytes(metrics, "downloaded");
  }

  /** Without a store. */
  public static ArtifactTransfers none() {
    return new ArtifactTransfers(null, new SimpleMeterRegistry());
  }

  /** A failure of a transfer: the attempt fails with this message. */
  public static final class TransferException extends Exception {
    TransferException(String message) {
      super(message);
    }
  }

  public static boolean declares(JobDispatch d) {
    return !d.getArtifactsIn().isEmpty() || !d.getArtifactsOut().isEmpty();
  }

  /**
   * Creates {@code dir}'s {@code in} and {@code out} directories and downloads the {@code in}
   * artifacts; returns the directory for {@link #VARIABLE}.
   */
  public Path prepare(JobDispatch d, Path dir) throws TransferException {
    requireStore();
    Path root = dir.resolve("artifacts");
    try {
      Files.createDirectories(root.resolve("in"));
      Files.createDirectories(root.resolve("out"));
    } catch (IOException e) {
      throw new TransferException("cannot create the artifact directory: " + e.getMessage());
    }
    Path in = root.resolve("in").toAbsolutePath().normalize();
    for (var e : d.getArtifactsIn().entrySet()) {
      Path file = in.resolve(e.getKey()).normalize();
      if (!file.getParent().equals(in)) { // apply refuses such names; a dispatch may be forged
        throw new TransferException("input artifact name '" + e.getKey() + "' is not a file name");
      }
      JsonNode ref = reference("input artifact '" + e.getKey() + "'", e.getValue());
      if (ref.isArray()) {
        // a fan-in: each instance's file, in item order, in a directory of that name
        try {
          Files.createDirectories(file);
        } catch (IOException x) {
          throw new TransferException("cannot create " + file + ": " + x.getMessage());
        }
        for (int i = 0; i < ref.size(); i++) {
          download(e.getKey() + "[" + i + "]", ref.get(i), file.resolve(itemFile(i)));
        }
      } else {
        download(e.getKey(), ref, file);
      }
    }
    return root;
  }

  /** Stores the {@code out} artifacts; returns their outputs ({@code artifact:NAME} → JSON). */
  public Map<String, String> store(JobDispatch d, Path root) throws TransferException {
    requireStore();
    Map<String, String> outputs = new LinkedHashMap<>();
    Path out = root.resolve("out").toAbsolutePath().normalize();
    // Every declared file is checked before any is stored: a missing one stores nothing.
    Map<String, Path> files = new LinkedHashMap<>();
    for (var e : d.getArtifactsOut().entrySet()) {
      files.put(e.getKey(), checkedFile(e.getKey(), e.getValue(), out));
    }
    for (var e : files.entrySet()) {
      String name = e.getKey();
      Path file = e.getValue();
      FileDigest digest = digest(file, "artifact '" + name + "'");
      String key = store.prefix() + attemptPath(d) + "/" + name;
      LOG.info(
          "storing artifact '{}' of {} ({} bytes) as {}",
          name,
          d.getAttemptId(),
          digest.size(),
          store.uri(key));
      try {
        store.put(key, file);
      } catch (IOException x) {
        throw new TransferException(x.getMessage());
      }
      uploaded.increment(digest.size());
      ObjectNode ref = JSON.createObjectNode();
      ref.put("uri", store.uri(key));
      ref.put("size", digest.size());
      ref.put("sha256", digest.sha256());
      ref.put("attempt", d.getAttemptId());
      outputs.put(ArtifactSpec.outputKey(name), ref.toString());
    }
    return outputs;
  }

  private void requireStore() throws TransferException {
    if (store == null) {
      throw new TransferException(
          "the job has artifacts and this dispatcher has no artifact store: set"
              + " BATON_ARTIFACT_STORE=s3://bucket/prefix");
    }
  }

  private static Path checkedFile(String name, String path, Path out) throws TransferException {
    Path file = out.resolve(path).normalize();
    String declared = "declared artifact '" + name + "' ($" + VARIABLE + "/out/" + path + ")";
    if (!file.startsWith(out)) {
      throw new TransferException(declared + " is outside $" + VARIABLE + "/out");
    }
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new TransferException(declared + " was not written");
    }
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
          || !file.toRealPath().startsWith(out.toRealPath())) {
        throw new TransferException(
            declared + " is not a regular file inside $" + VARIABLE + "/out (a link is refused)");
      }
    } catch (IOException e) {
      throw new TransferException(declared + " cannot be read: " + e.getMessage());
    }
    return file;
  }

  /** The variable that hands a pod its artifacts' presigned URLs ({@link #presigned}). */
  public static final String URLS_VARIABLE = "BATON_ARTIFACT_URLS";

  /**
   * What a pod needs to move its artifacts without credentials of the store: one line per artifact,
   * fields separated by tabs. {@code in NAME SIZE SHA256 URL}: a presigned GET of the producer's
   * file, to put at {@code $BATON_ARTIFACTS/in/NAME} and check; {@code out NAME PATH URI URL}: a
   * presigned PUT for the file the job writes at {@code $BATON_ARTIFACTS/out/PATH}, reported as
   * stored at URI. Each URL is good for {@code validFor} and for that one object only.
   */
  public String presigned(JobDispatch d, Duration validFor) throws TransferException {
    requireStore();
    StringBuilder lines = new StringBuilder();
    for (var e : d.getArtifactsIn().entrySet()) {
      String what = "input artifact '" + e.getKey() + "'";
      if (!ArtifactSpec.isName(e.getKey())) {
        throw new TransferException("input artifact name '" + e.getKey() + "' is not a file name");
      }
      JsonNode ref = reference(what, e.getValue());
      if (ref.isArray()) {
        for (int i = 0; i < ref.size(); i++) {
          inLine(lines, e.getKey() + "/" + itemFile(i), what, ref.get(i), validFor);
        }
      } else {
        inLine(lines, e.getKey(), what, ref, validFor);
      }
    }
    for (var e : d.getArtifactsOut().entrySet()) {
      String path = e.getValue();
      if (!ArtifactSpec.isName(e.getKey())
          || path.startsWith("/")
          || path.contains("..")
          || path.chars().anyMatch(c -> c < 0x20)) {
        throw new TransferException(
            "declared artifact '" + e.getKey() + "' (" + path + ") is not a file under out/");
      }
      String key = store.prefix() + attemptPath(d) + "/" + e.getKey();
      lines
          .append(String.join("\t", "out", e.getKey(), path, store.uri(key)))
          .append('\t')
          .append(store.presign("PUT", key, validFor))
          .append('\n');
    }
    return lines.toString();
  }

  private void inLine(StringBuilder lines, String name, String what, JsonNode ref, Duration valid)
      throws TransferException {
    String key = keyInStore(what, ref);
    String sha256 = ref.path("sha256").asText("");
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new TransferException(what + " has no SHA-256 to check it by");
    }
    lines
        .append(String.join("\t", "in", name, Long.toString(ref.path("size").asLong(-1)), sha256))
        .append('\t')
        .append(store.presign("GET", key, valid))
        .append('\n');
  }

  /** The file name of instance {@code i}'s file in a fan-in's directory: in item order. */
  public static String itemFile(int i) {
    return String.format("%05d", i);
  }

  private static JsonNode reference(String what, String refJson) throws TransferException {
    try {
      return JSON.readTree(refJson);
    } catch (IOException e) {
      throw new TransferException(what + " has no readable reference");
    }
  }

  /** The store key of the file {@code ref} records; refused when it lies outside this store. */
  private String keyInStore(String what, JsonNode ref) throws TransferException {
    String key = store.keyOf(ref.path("uri").asText(null));
    if (key == null) {
      throw new TransferException(
          what + " refers to " + ref.path("uri").asText() + ", outside " + store.address());
    }
    return key;
  }

  private void download(String name, JsonNode ref, Path file) throws TransferException {
    String what = "input artifact '" + name + "'";
    String key = keyInStore(what, ref);
    try {
      store.get(key, file);
    } catch (IOException e) {
      throw new TransferException(what + ": " + e.getMessage());
    }
    FileDigest got = digest(file, what);
    downloaded.increment(got.size());
    if (got.size() != ref.path("size").asLong(-1)
        || !got.sha256().equals(ref.path("sha256").asText())) {
      throw new TransferException(
          what
              + " read from "
              + store.uri(key)
              + " is not what its producer stored (size "
              + got.size()
              + ", sha256 "
              + got.sha256()
              + ")");
    }
  }

  /** The store path of an attempt ({@link ArtifactSpec#attemptPath}). */
  static String attemptPath(JobDispatch d) {
    return ArtifactSpec.attemptPath(d.getRunId(), d.getJob(), d.getItem(), d.getAttempt());
  }

  static FileDigest digest(Path file, String what) throws TransferException {
    try {
      return FileDigest.of(file);
    } catch (IOException e) {
      throw new TransferException(what + " cannot be read: " + e.getMessage());
    }
  }
}
