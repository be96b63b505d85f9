package dev.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.artifacts.FileDigest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pod's artifacts as {@code baton report} moves them, as the job image's script does: through the
 * presigned URLs of {@code BATON_ARTIFACT_URLS} (one tab-separated line per artifact: {@code in
 * NAME SIZE SHA256 URL}, {@code out NAME PATH URI URL}), with no credentials of the store. Inputs
 * are fetched and checked before the command; outputs are all checked, then uploaded, after a
 * success. Files stream both ways.
 */
final class PodArtifacts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record In(String name, long size, String sha256, String url) {}

  private record Out(String name, String path, String uri, String url) {}

  private final Path root;
  private final List<In> ins = new ArrayList<>();
  private final List<Out> outs = new ArrayList<>();
  private final String attemptId;
  private final HttpClient http = HttpClient.newHttpClient();

  private PodArtifacts(Path root, String urls, String attemptId) {
    this.root = root;
    this.attemptId = attemptId;
    for (String line : urls.split("\n")) {
      String[] f = line.split("\t", -1);
      if (f.length == 5 && f[0].equals("in")) {
        ins.add(new In(f[1], Long.parseLong(f[2]), f[3], f[4]));
      } else if (f.length == 5 && f[0].equals("out")) {
        outs.add(new Out(f[1], f[2], f[3], f[4]));
      }
    }
  }

  /** The pod's artifacts; null when it has none. */
  static PodArtifacts fromEnv(Map<String, String> env) {
    String urls = env.get("BATON_ARTIFACT_URLS");
    if (urls == null || urls.isBlank() || env.get("BATON_ARTIFACTS") == null) {
      return null;
    }
    return new PodArtifacts(Path.of(env.get("BATON_ARTIFACTS")), urls, env.get("BATON_ATTEMPT_ID"));
  }

  /** Puts each input at {@code in/NAME} and checks it; the reason when one fails. */
  String fetchInputs() throws InterruptedException {
    Path in = root.resolve("in").toAbsolutePath().normalize();
    try {
      Files.createDirectories(in);
      Files.createDirectories(root.resolve("out"));
    } catch (IOException e) {
      return "cannot create " + root + ": " + e.getMessage();
    }
    for (In a : ins) {
      Path file = in.resolve(a.name()).normalize();
      if (!file.startsWith(in)) {
        return "input artifact name '" + a.name() + "' is not a file name";
      }
      try {
        Files.createDirectories(file.getParent());
        HttpResponse<Path> r =
            http.send(
                HttpRequest.newBuilder(URI.create(a.url())).build(),
                HttpResponse.BodyHandlers.ofFile(file));
        if (r.statusCode() != 200) {
          return "input artifact '" + a.name() + "' cannot be fetched: HTTP " + r.statusCode();
        }
        FileDigest got = FileDigest.of(file);
        if (got.size() != a.size() || !got.sha256().equals(a.sha256())) {
          return "input artifact '" + a.name() + "' is not what its producer stored";
        }
      } catch (IOException e) {
        return "input artifact '" + a.name() + "' cannot be fetched: " + e.getMessage();
      }
    }
    return null;
  }

  /**
   * Checks every declared output, then uploads each; their records by output key ({@code
   * artifact:NAME}) into {@code stored}. The reason when one fails (then nothing is reported).
   */
  String storeOutputs(Map<String, String> stored) throws InterruptedException {
    Map<Out, Path> files = new LinkedHashMap<>();
    for (Out a : outs) {
      String declared =
          "declared artifact '" + a.name() + "' ($BATON_ARTIFACTS/out/" + a.path() + ")";
      try {
        Path out = root.resolve("out").toRealPath();
        Path file = out.resolve(a.path()).normalize();
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
          return declared + " was not written";
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
            || !file.toRealPath().startsWith(out)) {
          return declared
              + " is not a regular file inside $BATON_ARTIFACTS/out (a link is refused)";
        }
        files.put(a, file);
      } catch (IOException e) {
        return declared + " cannot be read: " + e.getMessage();
      }
    }
    for (var e : files.entrySet()) {
      Out a = e.getKey();
      try {
        FileDigest d = FileDigest.of(e.getValue());
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(a.url()))
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofFile(e.getValue()))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() / 100 != 2) {
          return "cannot store artifact '"
              + a.name()
              + "' as "
              + a.uri()
              + ": HTTP "
              + r.statusCode();
        }
        ObjectNode record = JSON.createObjectNode();
        record.put("uri", a.uri());
        record.put("size", d.size());
        record.put("sha256", d.sha256());
        record.put("attempt", attemptId);
        stored.put("artifact:" + a.name(), record.toString());
      } catch (IOException x) {
        return "cannot store artifact '" + a.name() + "' as " + a.uri() + ": " + x.getMessage();
      }
    }
    return null;
  }
}
