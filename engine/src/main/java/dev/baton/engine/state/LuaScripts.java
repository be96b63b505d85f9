package dev.baton.engine.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The Redis scripts of the run repository, kept as {@code .lua} files beside this class. */
final class LuaScripts {
  private LuaScripts() {}

  static String read(String name) {
    try (InputStream in = LuaScripts.class.getResourceAsStream(name + ".lua")) {
      if (in == null) {
        throw new IllegalStateException(
            "script " + name + ".lua is missing from the engine's resources");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
