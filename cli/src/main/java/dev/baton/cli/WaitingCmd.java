package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code baton waiting}: the correlation keys of event waits, from the engine's API: the attempts
 * waiting on each and the events kept for steps that wait later.
 */
@Command(
    name = "waiting",
    description =
        "List event waits: per correlation key, the steps waiting and the events kept for steps"
            + " that will wait (from the engine's API).",
    mixinStandardHelpOptions = true)
final class WaitingCmd implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Mixin ApiOptions api;

  @Option(names = "--json", description = "Print the API's JSON")
  boolean json;

  @Override
  public Integer call() throws IOException, InterruptedException {
    HttpRequest.Builder request = api.request("/api/correlations").timeout(Duration.ofSeconds(10));
    HttpResponse<String> response;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      spec.commandLine()
          .getErr()
          .println("the engine's API at " + api.api + " did not answer: " + e);
      return 1;
    }
    if (response.statusCode() != 200) {
      spec.commandLine()
          .getErr()
          .println("the engine's API answered " + response.statusCode() + ": " + response.body());
      return 1;
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(response.body());
      return 0;
    }
    JsonNode keys = new ObjectMapper().readTree(response.body());
    if (keys.isEmpty()) {
      out.println("no step waits for an event, and no event is kept");
    }
    for (JsonNode k : keys) {
      out.printf("%s  key %s%n", k.path("topic").asText(), k.path("key").asText());
      for (JsonNode w : k.path("waiting")) {
        out.printf(
            "  waiting  %s %s #%d%s%n",
            w.path("runId").asText(),
            w.path("job").asText(),
            w.path("attempt").asInt(),
            w.path("until").isTextual() ? " until " + w.path("until").asText() : "");
      }
      for (JsonNode e : k.path("events")) {
        out.printf(
            "  kept     %s  arrived %s, expires %s%n",
            e.path("id").asText(), e.path("at").asText(), e.path("expires").asText());
      }
    }
    return 0;
  }
}
