package dev.baton.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton artifacts get}: a job's artifact, through the engine's API. */
@Command(
    name = "artifacts",
    description = "Fetch the files jobs stored as artifacts.",
    mixinStandardHelpOptions = true,
    subcommands = {ArtifactsCmd.Get.class})
final class ArtifactsCmd implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  @Command(
      name = "get",
      description =
          "Download artifact NAME that job JOB of run RUN_ID stored (streamed through the engine's"
              + " API) to a file, or to standard output.",
      mixinStandardHelpOptions = true)
  static final class Get implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;

    @Parameters(index = "1", paramLabel = "JOB")
    String job;

    @Parameters(index = "2", paramLabel = "NAME")
    String name;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description = "Write to FILE (default: standard output)")
    Path output;

    @Mixin ApiOptions api;

    /** Standard output as bytes; tests replace it. */
    OutputStream stdout = System.out;

    @Override
    public Integer call() throws IOException, InterruptedException {
      String path = "/api/runs/" + encode(runId) + "/artifacts/" + encode(job) + "/" + encode(name);
      HttpRequest.Builder request = api.request(path);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<InputStream> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        spec.commandLine()
            .getErr()
            .println("the engine's API at " + api.api + " did not answer: " + e);
        return 1;
      }
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          spec.commandLine()
              .getErr()
              .println(
                  "the engine's API answered "
                      + response.statusCode()
                      + ": "
                      + new String(body.readNBytes(4096), StandardCharsets.UTF_8));
          return 1;
        }
        if (output == null) {
          body.transferTo(stdout);
          stdout.flush();
        } else {
          Path partial = output.resolveSibling(output.getFileName() + ".partial");
          Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
          Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING);
          spec.commandLine()
              .getErr()
              .println("wrote " + output + " (" + Files.size(output) + " bytes)");
        }
      }
      return 0;
    }

    private static String encode(String part) {
      return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
    }
  }
}
