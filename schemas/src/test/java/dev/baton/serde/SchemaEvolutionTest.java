package dev.baton.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * schemas/README.md's rules, checked: every released schema and the current one can read each other
 * (full compatibility), every field added has a default, every enum has a default symbol.
 */
class SchemaEvolutionTest {
  static final Path RELEASED = Path.of("src/test/resources/released");
  static final Path CURRENT = Path.of("src/main/avro");

  static Stream<Path> released() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> versions = Files.list(RELEASED)) {
      for (Path v : versions.toList()) {
        try (Stream<Path> s = Files.list(v)) {
          s.filter(p -> p.toString().endsWith(".avsc")).forEach(files::add);
        }
      }
    }
    assertFalse(files.isEmpty());
    return files.stream();
  }

  static Stream<Path> current() throws IOException {
    try (Stream<Path> s = Files.list(CURRENT)) {
      return s.filter(p -> p.toString().endsWith(".avsc")).sorted().toList().stream();
    }
  }

  static Schema parse(Path p) throws IOException {
    return new Schema.Parser().parse(Files.readString(p));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("released")
  void currentAndReleasedReadEachOther(Path old) throws IOException {
    Schema previous = parse(old);
    Schema now = parse(CURRENT.resolve(old.getFileName()));
    assertEquals(
        SchemaCompatibilityType.COMPATIBLE,
        SchemaCompatibility.checkReaderWriterCompatibility(now, previous).getType(),
        "the current reader reads what " + old + " wrote");
    assertEquals(
        SchemaCompatibilityType.COMPATIBLE,
        SchemaCompatibility.checkReaderWriterCompatibility(previous, now).getType(),
        old + " reads what the current writer writes");
    for (Schema.Field field : now.getFields()) {
      if (previous.getField(field.name()) == null) {
        assertTrue(
            field.hasDefaultValue(),
            "field '" + field.name() + "' added to " + now.getName() + " has no default");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("current")
  void everyEnumHasADefaultSymbol(Path file) throws IOException {
    check(parse(file));
  }

  private static void check(Schema schema) {
    switch (schema.getType()) {
      case ENUM ->
          assertNotNull(
              schema.getEnumDefault(), "enum " + schema.getFullName() + " has no default symbol");
      case RECORD -> schema.getFields().forEach(f -> check(f.schema()));
      case UNION -> schema.getTypes().forEach(SchemaEvolutionTest::check);
      case ARRAY -> check(schema.getElementType());
      case MAP -> check(schema.getValueType());
      default -> {}
    }
  }
}
