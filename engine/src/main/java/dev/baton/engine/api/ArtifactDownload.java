package dev.baton.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import dev.baton.artifacts.ArtifactStore;
import dev.baton.engine.decide.JobState;
import dev.baton.engine.decide.RunState;
import dev.baton.template.ArtifactSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * {@code GET /api/runs/{id}/artifacts/{job}/{name}}: an artifact a job of the run stored, streamed
 * from the artifact store as it is read (never held whole), as an attachment. 404 for a run, job or
 * artifact that is not there; 503 when this engine has no artifact store. With {@code ?head=BYTES}
 * (1 to {@value #MAX_HEAD}): only its first bytes, inline, for a preview.
 */
final class ArtifactDownload {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Most bytes a preview ({@code ?head=}) returns. */
  static final int MAX_HEAD = 64 * 1024;

  private ArtifactDownload() {}

  /** The {@code head} query parameter: null when absent; 400 when it is not 1 to MAX_HEAD. */
  static Integer head(String value) {
    if (value == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= 1 && n <= MAX_HEAD) {
        return n;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new ApiException(400, "head must be a number of bytes from 1 to " + MAX_HEAD);
  }

  static void send(HttpExchange ex, RunState run, String job, String name, ArtifactStore store)
      throws IOException {
    Integer head = head(Exchanges.query(ex).get("head"));
    JobState state = run.job(job);
    if (state == null) {
      throw new ApiException(404, "run '" + run.runId() + "' has no job '" + job + "'");
    }
    String ref = state.outputs().get(ArtifactSpec.outputKey(name));
    if (ref == null) {
      throw new ApiException(
          404, "job '" + job + "' of run '" + run.runId() + "' stored no artifact '" + name + "'");
    }
    if (store == null) {
      throw new ApiException(
          503, "this engine has no artifact store: set BATON_ARTIFACT_STORE=s3://bucket/prefix");
    }
    JsonNode artifact = JSON.readTree(ref);
    if (artifact.isArray()) {
      // a fan-out job's: one file per instance, ?item=N picks one
      String item = Exchanges.query(ex).get("item");
      int index;
      try {
        index = item == null ? -1 : Integer.parseInt(item);
      } catch (NumberFormatException e) {
        index = -1;
      }
      if (index < 0 || index >= artifact.size()) {
        throw new ApiException(
            400,
            "job '"
                + job
                + "' stored one '"
                + name
                + "' per instance: ask for one with ?item=0 to "
                + (artifact.size() - 1));
      }
      artifact = artifact.get(index);
    }
    String key = store.keyOf(artifact.path("uri").asText(null));
    if (key == null) {
      throw new ApiException(
          502,
          "artifact '" + name + "' is at " + artifact.path("uri") + ", outside " + store.address());
    }
    try (InputStream in = store.open(key)) {
      ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
      ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      if (head == null) {
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + name + "\"");
      }
      ex.getResponseHeaders().set("X-Baton-Artifact-Sha256", artifact.path("sha256").asText());
      long size = artifact.path("size").asLong();
      long length = head == null ? size : Math.min(size, head);
      ex.sendResponseHeaders(200, length == 0 ? -1 : length);
      try (OutputStream out = ex.getResponseBody()) {
        if (head == null) {
          in.transferTo(out);
        } else {
          out.write(in.readNBytes((int) length));
        }
      }
    } catch (IOException e) {
      if (ex.getResponseCode() == -1) {
        throw new ApiException(502, e.getMessage());
      }
      throw e;
    }
  }
}
