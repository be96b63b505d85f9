package dev.baton.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A template written back as YAML parses to an equal template: every example and fixture. */
class TemplateYamlTest {
  static Stream<Path> valid() throws Exception {
    return TemplateValidatorTest.valid();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void roundTripsThroughTheParser(Path file) throws Exception {
    String source = file.getFileName().toString();
    Template parsed = Templates.parse(source, Files.readString(file));
    String written = parsed.toYaml();
    Template again = Templates.parse(source + " (written)", written);
    assertEquals(parsed, again, written);
    assertEquals(written, again.toYaml(), "writing is stable");
    assertEquals(
        parsed.jobs().stream().map(JobSpec::name).toList(),
        again.jobs().stream().map(JobSpec::name).toList());
    assertEquals(List.copyOf(parsed.params().keySet()), List.copyOf(again.params().keySet()));
  }

  @org.junit.jupiter.api.Test
  void multiLineScriptsAreLiteralBlocksAndDefaultsAreLeftOut() throws Exception {
    Path file = TemplateValidatorTest.FIXTURES.resolve("valid/every-field.yaml");
    String written = Templates.parse("every-field.yaml", Files.readString(file)).toYaml();
    assertTrue(written.contains("- |\n"), written);
    assertTrue(written.contains("echo \"building for $REGION\"\n"), written);
    assertTrue(!written.contains("startTimeout: 10m"), written);
    assertTrue(written.contains("dependsOn: []"), written);
  }
}
