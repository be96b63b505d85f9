package dev.baton.settings;

import java.util.Map;

/**
 * Numbers from {@code BATON_*} variables; a value that is not one is an error naming its variable.
 */
public final class EnvSettings {
  private EnvSettings() {}

  /** The whole number in {@code key}, or {@code fallback} when it is not set. */
  public static long number(Map<String, String> env, String key, long fallback) {
    String value = env.get(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + value + "'", e);
    }
  }

  /** As {@link #number}, within the range of an int. */
  public static int integer(Map<String, String> env, String key, int fallback) {
    long n = number(env, key, fallback);
    if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key + " is out of range: " + n);
    }
    return (int) n;
  }
}
