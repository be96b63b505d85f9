package dev.baton.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them: 100ms, 30s, 5m, 1h. */
final class Durations {
  private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Durations() {}

  static Duration parse(String text, String option, picocli.CommandLine commandLine) {
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      throw new picocli.CommandLine.ParameterException(commandLine,
          option + " must look like 100ms, 30s, 5m or 1h, got '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
