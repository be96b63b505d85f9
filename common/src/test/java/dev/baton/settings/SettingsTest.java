package dev.baton.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir Path dir;

  @Test
  void aNumberThatIsNotOneNamesItsVariable() {
    assertEquals(7, Settings.of(Map.of("BATON_X", " 7 ")).integer("BATON_X", 3));
    assertEquals(3, Settings.of(Map.of()).integer("BATON_X", 3));
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Settings.of(Map.of("BATON_MAX_APPLIED_IDS", "many"))
                    .integer("BATON_MAX_APPLIED_IDS", 1));
    assertEquals("BATON_MAX_APPLIED_IDS must be a whole number, got 'many'", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Settings.of(Map.of("BATON_X", "9999999999")).integer("BATON_X", 1));
  }

  @Test
  void theFileGivesDefaultsTheEnvironmentOverridesAndErrorsNameTheLine() throws Exception {
    Path file = dir.resolve("baton.env");
    Files.writeString(
        file,
        "# engine\nBATON_TOPIC_PREFIX = orders\n\nBATON_X=5\nBATON_COMMIT_INTERVAL_MS=soon\n");
    Settings s = Settings.of(Map.of(Settings.FILE_VARIABLE, file.toString(), "BATON_X", "6"));
    assertEquals("orders", s.get("BATON_TOPIC_PREFIX"));
    assertEquals(6, s.integer("BATON_X", 0));
    assertEquals(Duration.ofMillis(20), s.millis("BATON_UNSET_MS", Duration.ofMillis(20)));
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> s.millis("BATON_COMMIT_INTERVAL_MS", Duration.ZERO));
    assertEquals(
        "BATON_COMMIT_INTERVAL_MS (" + file + " line 5) must be a whole number, got 'soon'",
        e.getMessage());
  }

  @Test
  void aFileLineThatIsNotASettingIsRefusedWithItsNumber() throws Exception {
    Path file = dir.resolve("bad.env");
    Files.writeString(file, "BATON_A=1\nkafka.bootstrap=x\n");
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Settings.of(Map.of(Settings.FILE_VARIABLE, file.toString())));
    assertEquals(
        file + " line 2: expected BATON_NAME=value, got 'kafka.bootstrap=x'", e.getMessage());
    var missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> Settings.of(Map.of(Settings.FILE_VARIABLE, dir.resolve("none").toString())));
    assertTrue(missing.getMessage().startsWith("BATON_CONFIG_FILE: cannot read "));
  }
}
