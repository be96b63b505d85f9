package dev.baton.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Small pieces stay small: no main source file of any module is over 400 lines. The files still
 * over it are named with the most lines they may have, so they can shrink and never grow; one that
 * gets under 400 must leave the list.
 */
class MainFileSizeTest {
  static final int MAX_LINES = 400;

  /** Files over the limit, and their ceilings (to be split): none now. */
  static final Map<String, Integer> STILL_OVER = Map.of();

  @Test
  void noMainFileIsOver400Lines() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    assertTrue(Files.exists(root.resolve("pom.xml")), "run from a module of " + root);
    Map<String, Integer> over = new TreeMap<>();
    List<Path> sources;
    try (Stream<Path> modules = Files.list(root)) {
      sources =
          modules
              .map(m -> m.resolve("src/main/java"))
              .filter(Files::isDirectory)
              .flatMap(MainFileSizeTest::javaFiles)
              .toList();
    }
    assertTrue(sources.size() > 100, "found " + sources.size() + " main files");
    for (Path file : sources) {
      long lines;
      try (Stream<String> s = Files.lines(file)) {
        lines = s.count();
      }
      String name = root.relativize(file).toString().replace('\\', '/');
      int ceiling = STILL_OVER.getOrDefault(name, MAX_LINES);
      if (lines > ceiling || (STILL_OVER.containsKey(name) && lines <= MAX_LINES)) {
        over.put(name, (int) lines);
      }
    }
    assertEquals(
        Map.of(),
        over,
        "main files over "
            + MAX_LINES
            + " lines (or past their ceiling), or under it but still listed: split them, or"
            + " take them off STILL_OVER");
  }

  private static Stream<Path> javaFiles(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> p.toString().endsWith(".java")).toList().stream();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
