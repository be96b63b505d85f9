package dev.baton.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finding programs as a shell would. */
public final class Executables {
  private Executables() {}

  /** The executable {@code name} in a directory of PATH, or null when there is none. */
  public static Path onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
