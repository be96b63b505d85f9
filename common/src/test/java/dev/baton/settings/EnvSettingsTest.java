package dev.baton.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvSettingsTest {
  @Test
  void aNumberThatIsNotOneNamesItsVariable() {
    assertEquals(7, EnvSettings.integer(Map.of("BATON_X", " 7 "), "BATON_X", 3));
    assertEquals(3, EnvSettings.integer(Map.of(), "BATON_X", 3));
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                EnvSettings.integer(
                    Map.of("BATON_MAX_APPLIED_IDS", "many"), "BATON_MAX_APPLIED_IDS", 1));
    assertEquals("BATON_MAX_APPLIED_IDS must be a whole number, got 'many'", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> EnvSettings.integer(Map.of("BATON_X", "9999999999"), "BATON_X", 1));
  }
}
