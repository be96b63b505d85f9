package dev.baton.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** design.md §2: the decision core and the template model import no Kafka, Redisson or fabric8 class, and no clock. */
class DecisionCoreBoundaryTest {
  static final List<String> FORBIDDEN = List.of("import org.apache.kafka", "import org.redisson", "import io.fabric8",
      "Instant.now()", "System.currentTimeMillis", "UUID.randomUUID", "new Random");

  @Test
  void decideAndTemplatePackagesStayPure() throws IOException {
    List<Path> sources;
    try (Stream<Path> s = Stream.concat(
        Files.walk(Path.of("src/main/java/dev/baton/engine/decide")),
        Files.walk(Path.of("src/main/java/dev/baton/engine/template")))) {
      sources = s.filter(p -> p.toString().endsWith(".java")).toList();
    }
    assertFalse(sources.isEmpty());
    List<String> violations = sources.stream().flatMap(p -> {
      try {
        String text = Files.readString(p);
        return FORBIDDEN.stream().filter(text::contains).map(f -> p.getFileName() + ": " + f);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).toList();
    assertEquals(List.of(), violations);
  }
}
