package dev.baton.settings;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as templates and the CLI write them: {@code 100ms}, {@code 2s}, {@code 5m}, {@code 1h},
 * {@code 7d}.
 */
public final class DurationText {
  private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  private DurationText() {}

  /** The duration, or null when the text is not one. */
  public static Duration parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /**
   * The text {@link #parse} reads back as {@code d}: its largest unit that divides it ({@code 90s},
   * {@code 2h}, {@code 1500ms}).
   *
   * @throws IllegalArgumentException for a negative duration, or one too long for nine digits
   */
  public static String format(Duration d) {
    long millis = d.toMillis();
    if (d.isNegative() || !Duration.ofMillis(millis).equals(d)) {
      throw new IllegalArgumentException("not a whole number of milliseconds of 0 or more: " + d);
    }
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
    String[] units = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < sizes.length; i++) {
      if (millis % sizes[i] == 0 && millis / sizes[i] <= 999_999_999L) {
        return millis / sizes[i] + units[i];
      }
    }
    throw new IllegalArgumentException("too long to write as a duration: " + d);
  }
}
