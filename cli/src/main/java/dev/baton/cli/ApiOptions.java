package dev.baton.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the engine's API is and its bearer token: for commands that read through the API. */
final class ApiOptions {
  @Option(
      names = "--api",
      defaultValue = "${env:BATON_API_URL:-http://127.0.0.1:8080}",
      paramLabel = "URL",
      description = "The engine's API (default: $BATON_API_URL, else http://127.0.0.1:8080)")
  String api;

  @Option(
      names = "--token-file",
      defaultValue = "${env:BATON_HTTP_TOKEN_FILE}",
      paramLabel = "FILE",
      description = "A file holding the API's bearer token (default: $BATON_HTTP_TOKEN_FILE)")
  Path tokenFile;

  /** A request for {@code path} of the API, with the token when one is given. */
  HttpRequest.Builder request(String path) throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api.replaceAll("/+$", "") + path));
    if (tokenFile != null) {
      request.header("Authorization", "Bearer " + Files.readString(tokenFile).strip());
    }
    return request;
  }
}
