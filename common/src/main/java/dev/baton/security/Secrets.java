package dev.baton.security;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Masks secret values in what a job wrote (output tails, outputs) before anything is published or
 * stored.
 */
public final class Secrets {
  public static final String MASK = "***";

  /**
   * Environment variable naming a job's secret variables, so that code inside a pod ({@code baton
   * report}) can mask them.
   */
  public static final String SECRET_ENV_NAMES = "BATON_SECRET_ENV";

  private Secrets() {}

  /**
   * {@code text} with every occurrence of each non-empty secret value replaced by {@value #MASK}.
   */
  public static String mask(String text, Collection<String> secrets) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String out = text;
    for (String secret : secrets) {
      if (secret != null && !secret.isEmpty()) {
        out = out.replace(secret, MASK);
      }
    }
    return out;
  }

  public static Map<String, String> mask(Map<String, String> values, Collection<String> secrets) {
    if (secrets.isEmpty()) {
      return values;
    }
    Map<String, String> out = new LinkedHashMap<>();
    values.forEach((k, v) -> out.put(k, mask(v, secrets)));
    return out;
  }
}
