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
 * artifact that is not there; 503 when this engine has no artifact store.
 */
final class ArtifactDownload {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ArtifactDownload() {}

  static void send(HttpExchange ex, RunState run, String job, String name, ArtifactStore store)
      throws IOException {
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
    String key = store.keyOf(artifact.path("uri").asText(null));
    if (key == null) {
      throw new ApiException(
          502,
          "artifact '" + name + "' is at " + artifact.path("uri") + ", outside " + store.address());
    }
    try (InputStream in = store.open(key)) {
      ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
      ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + name + "\"");
      ex.getResponseHeaders().set("X-Baton-Artifact-Sha256", artifact.path("sha256").asText());
      long size = artifact.path("size").asLong();
      ex.sendResponseHeaders(200, size == 0 ? -1 : size);
      try (OutputStream out = ex.getResponseBody()) {
        in.transferTo(out);
      }
    } catch (IOException e) {
      if (ex.getResponseCode() == -1) {
        throw new ApiException(502, e.getMessage());
      }
      throw e;
    }
  }
}
