package dev.baton.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every field of every event schema says what it holds (the schemas are the events' reference). */
class SchemaDocsTest {
  static java.util.stream.Stream<Path> current() throws java.io.IOException {
    return SchemaEvolutionTest.current();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("current")
  void everyFieldHasADoc(Path file) throws Exception {
    List<String> undocumented = new ArrayList<>();
    undocumented(SchemaEvolutionTest.parse(file), "", undocumented, new java.util.HashSet<>());
    assertEquals(List.of(), undocumented, "fields without a doc in " + file);
  }

  private static void undocumented(
      Schema s, String path, List<String> out, java.util.Set<String> seen) {
    switch (s.getType()) {
      case RECORD -> {
        if (!seen.add(s.getFullName())) {
          return;
        }
        for (Schema.Field f : s.getFields()) {
          String at = path + s.getName() + "." + f.name();
          if (f.doc() == null || f.doc().isBlank()) {
            out.add(at);
          }
          undocumented(f.schema(), at + "/", out, seen);
        }
      }
      case UNION -> s.getTypes().forEach(t -> undocumented(t, path, out, seen));
      case ARRAY -> undocumented(s.getElementType(), path, out, seen);
      case MAP -> undocumented(s.getValueType(), path, out, seen);
      default -> {}
    }
  }
}
