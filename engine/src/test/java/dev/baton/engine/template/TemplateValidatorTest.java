package dev.baton.engine.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every fixture in templates/invalid names, in its first line, the error it must produce. */
class TemplateValidatorTest {
  static final Path FIXTURES = Path.of("src/test/resources/templates");

  static Stream<Path> valid() throws IOException {
    return list("valid");
  }

  static Stream<Path> invalid() throws IOException {
    return list("invalid");
  }

  private static Stream<Path> list(String dir) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(FIXTURES.resolve(dir))) {
      files = s.sorted().toList();
    }
    assertFalse(files.isEmpty(), "no fixtures in " + dir);
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void acceptsValidTemplate(Path file) throws Exception {
    Template t = Templates.parse(file.getFileName().toString(), Files.readString(file));
    assertFalse(t.jobs().isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void refusesInvalidTemplateWithLineAndField(Path file) throws Exception {
    String yaml = Files.readString(file);
    String expected = yaml.lines().findFirst().orElseThrow().replaceFirst("^# expect: ", "");
    InvalidTemplateException e = assertThrows(InvalidTemplateException.class,
        () -> Templates.parse(file.getFileName().toString(), yaml));
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in:\n" + e.getMessage());
  }

  @Test
  void parsesPipelineExample() throws Exception {
    Template t = Templates.parse("pipeline.yaml", Files.readString(FIXTURES.resolve("valid/pipeline.yaml")));
    assertEquals("pipeline", t.name());
    assertEquals(List.of("extract", "transform", "load"), t.jobs().stream().map(JobSpec::name).toList());
    assertTrue(t.params().get("source").required());
    assertEquals("2", t.params().get("multiplier").defaultValue());
    assertEquals(List.of("records"), t.jobs().get(0).outputs());
  }

  @Test
  void reportsEveryErrorNotJustTheFirst() {
    InvalidTemplateException e = assertThrows(InvalidTemplateException.class, () -> Templates.parse("x.yaml", """
        name: Bad Name
        version: 0
        jobs:
          - name: a
        """));
    assertEquals(3, e.errors().size(), e.getMessage());
  }
}
