package dev.baton.client;

import java.util.Map;

/**
 * A service's answer to a step's request: it succeeded with these outputs (they become the step's),
 * or failed with a reason (the step fails, and retries as its template says).
 */
public record Reply(boolean success, Map<String, String> outputs, String reason) {
  public Reply {
    outputs = Map.copyOf(outputs);
  }

  public static Reply succeeded(Map<String, String> outputs) {
    return new Reply(true, outputs, null);
  }

  public static Reply succeeded() {
    return succeeded(Map.of());
  }

  public static Reply failed(String reason) {
    return new Reply(false, Map.of(), reason);
  }
}
