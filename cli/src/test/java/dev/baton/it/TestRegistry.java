package dev.baton.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real schema registry for the tests: Apicurio Registry (in memory) from the test-registry
 * module, started as a child process on a free port; its Confluent API is at {@code
 * /apis/ccompat/v6}. One per test JVM, stopped when it exits.
 */
final class TestRegistry {
  private static final Pattern LISTENING = Pattern.compile("Listening on: (http://[0-9.:]+)");
  private static String url;

  private TestRegistry() {}

  static synchronized String confluentApiUrl() {
    if (url == null) {
      url = start() + "/apis/ccompat/v6";
    }
    return url;
  }

  private static String start() {
    Path jar;
    try (Stream<Path> files = Files.list(Path.of("../test-registry/target"))) {
      jar =
          files
              .filter(p -> p.getFileName().toString().endsWith("-runner.jar"))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "no registry jar: build it with `mvn -pl test-registry package`"));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(
          "no ../test-registry/target: build it with `mvn -pl test-registry package`", e);
    }
    try {
      Process process =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx256m",
                  "-Dquarkus.http.host=127.0.0.1",
                  "-Dquarkus.http.port=0",
                  "-jar",
                  jar.toString())
              .redirectErrorStream(true)
              .start();
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
      CompletableFuture<String> listening = new CompletableFuture<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader lines =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = lines.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                      listening.complete(m.group(1));
                    }
                  }
                  listening.completeExceptionally(
                      new IllegalStateException("the registry exited before listening"));
                } catch (java.io.IOException e) {
                  listening.completeExceptionally(e);
                }
              },
              "test-registry-output");
      reader.setDaemon(true);
      reader.start();
      return listening.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the test schema registry from " + jar, e);
    }
  }
}
