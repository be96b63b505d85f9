package dev.baton.cli;

import dev.baton.settings.DurationText;
import java.time.Duration;
import picocli.CommandLine;

/** Duration options, written as in templates: 100ms, 30s, 5m, 1h. */
final class Durations {
  private Durations() {}

  static Duration parse(String text, String option, CommandLine commandLine) {
    Duration d = DurationText.parse(text);
    if (d == null) {
      throw new CommandLine.ParameterException(
          commandLine, option + " must look like 100ms, 30s, 5m or 1h, got '" + text + "'");
    }
    return d;
  }
}
