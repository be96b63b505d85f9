package dev.baton.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.expressions.Expressions;
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

  /** The fixtures, and every example template the project ships. */
  static Stream<Path> valid() throws IOException {
    List<Path> examples;
    try (Stream<Path> s = Files.list(Path.of("../templates"))) {
      examples = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertFalse(examples.isEmpty(), "no example templates in ../templates");
    return Stream.concat(list("valid"), examples.stream());
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
    InvalidTemplateException e =
        assertThrows(
            InvalidTemplateException.class,
            () -> Templates.parse(file.getFileName().toString(), yaml));
    assertTrue(
        e.getMessage().contains(expected), "expected '" + expected + "' in:\n" + e.getMessage());
  }

  @Test
  void parsesPipelineExample() throws Exception {
    Template t =
        Templates.parse("pipeline.yaml", Files.readString(Path.of("../templates/pipeline.yaml")));
    assertEquals("pipeline", t.name());
    assertEquals(
        List.of("extract", "transform", "load"), t.jobs().stream().map(JobSpec::name).toList());
    assertTrue(t.params().get("source").required());
    assertEquals("2", t.params().get("multiplier").defaultValue());
    assertEquals(List.of("records"), t.jobs().get(0).outputs());
  }

  @Test
  void parsesEveryFeature() throws Exception {
    Template t =
        Templates.parse(
            "every-feature.yaml", Files.readString(FIXTURES.resolve("valid/every-feature.yaml")));
    assertEquals(java.time.Duration.ofHours(1), t.timeout());
    assertEquals(3, t.maxConcurrentRuns());
    assertEquals("cleanup", t.onExit().name());
    JobSpec each = t.job("each").orElseThrow();
    assertEquals(
        List.of("list"),
        each.dependsOn(),
        "without dependsOn a job depends on the one listed before");
    assertEquals(4, each.maxParallel());
    assertEquals(java.time.Duration.ofSeconds(30), each.timeout());
    assertEquals(java.time.Duration.ofMinutes(45), t.sla());
    assertEquals(java.time.Duration.ofMinutes(5), each.sla());
    assertEquals(3, each.retry().limit());
    assertEquals(java.time.Duration.ofMillis(150), each.retry().backoff(2));
    assertEquals(java.time.Duration.ofSeconds(2), each.retry().backoff(20));
    assertTrue(
        each.retry().retries("failed", 1)
            && each.retry().retries("timeout", null) == false
            && each.retry().retries("lost", 75));
    assertEquals(List.of("each", "gate"), t.job("sum").orElseThrow().dependsOn());
  }

  @Test
  void reportsEveryErrorNotJustTheFirst() {
    InvalidTemplateException e =
        assertThrows(
            InvalidTemplateException.class,
            () ->
                Templates.parse(
                    "x.yaml",
                    """
        name: Bad Name
        version: 0
        jobs:
          - name: a
        """));
    assertEquals(3, e.errors().size(), e.getMessage());
  }

  @Test
  void refusesTemplateWithMoreJobsThanTheLimitAndNamesIt() {
    StringBuilder yaml = new StringBuilder("name: chain\nversion: 1\njobs:\n");
    for (int i = 0; i < 10_000; i++) {
      yaml.append("  - name: j").append(i).append("\n    command: [\"true\"]\n");
    }
    InvalidTemplateException e =
        assertThrows(
            InvalidTemplateException.class, () -> Templates.parse("chain.yaml", yaml.toString()));
    assertEquals(1, e.errors().size(), e.getMessage());
    assertEquals("jobs", e.errors().get(0).field());
    assertEquals(3, e.errors().get(0).line());
    assertTrue(
        e.errors().get(0).message().contains("at most " + Templates.MAX_JOBS), e.getMessage());
  }

  @Test
  void refusesExpressionLongerThanTheLimit() {
    String when = "params.env == '" + "x".repeat(Expressions.MAX_EXPRESSION_CHARS) + "'";
    InvalidTemplateException e =
        assertThrows(
            InvalidTemplateException.class,
            () ->
                Templates.parse(
                    "long.yaml",
                    """
        name: long
        version: 1
        params:
          env: {default: prod}
        jobs:
          - name: a
            command: [a]
            when: "%s"
        """
                        .formatted(when)));
    assertEquals("jobs[0].when", e.errors().get(0).field(), e.getMessage());
  }

  @Test
  void duplicateJobNameIsReportedAsThatAndNotAsAMadeUpDependencyError() {
    InvalidTemplateException e =
        assertThrows(
            InvalidTemplateException.class,
            () ->
                Templates.parse(
                    "dup.yaml",
                    """
        name: dup
        version: 1
        jobs:
          - name: a
            command: ["true"]
          - name: a
            command: ["true"]
            dependsOn: [a]
        """));
    assertEquals(1, e.errors().size(), e.getMessage());
    assertEquals("jobs[1].name", e.errors().get(0).field());
    assertEquals("duplicate job name 'a' (also jobs[0])", e.errors().get(0).message());
  }

  @Test
  void expressionErrorsQuoteAShortenedExpressionAndAPercentAsWritten() {
    String when = "params.env == '" + "x".repeat(3_000) + "' %";
    InvalidTemplateException e =
        assertThrows(
            InvalidTemplateException.class,
            () ->
                Templates.parse(
                    "pct.yaml",
                    """
        name: pct
        version: 1
        params:
          env: {default: prod}
        jobs:
          - name: a
            command: [a]
            when: "%s"
        """
                        .formatted(when)));
    String message = e.errors().get(0).message();
    assertTrue(message.length() < 1_000, message.length() + " characters: " + message);
    assertTrue(message.contains("mismatched input '<EOF>'") || message.contains("'%'"), message);
    assertFalse(message.contains("%%"), message);
  }
}
