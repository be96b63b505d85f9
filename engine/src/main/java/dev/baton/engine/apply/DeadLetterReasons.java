package dev.baton.engine.apply;

/** A dead letter's reason reduced to a short code, so the metric's tag has few values. */
public final class DeadLetterReasons {
  private DeadLetterReasons() {}

  public static String code(String reason) {
    String r = reason == null ? "" : reason;
    if (r.startsWith(InboundParser.FORGED)) {
      return "unsigned_completion";
    }
    if (r.startsWith(InboundParser.UNSIGNED_COMMAND)) {
      return "unsigned_command";
    }
    if (r.startsWith("invalid ")) {
      return "malformed";
    }
    if (r.contains(" bytes") && r.contains("limit")) {
      return "too_large";
    }
    if (r.startsWith("unknown template") || r.contains("is not in the store")) {
      return "unknown_template";
    }
    if (r.contains("already exists")) {
      return "run_exists";
    }
    if (r.contains("are reserved for")) {
      return "reserved_run_id";
    }
    if (r.startsWith("no run ")) {
      return "unknown_run";
    }
    if (r.contains("parameter")) {
      return "bad_parameter";
    }
    if (r.contains("has no job") || r.startsWith("timer for unknown job")) {
      return "unknown_job";
    }
    if (r.startsWith("only a FAILED run") || r.startsWith("command ")) {
      return "refused_command";
    }
    return "other";
  }
}
