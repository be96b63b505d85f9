package dev.baton.template;

/**
 * One thing wrong with a template: where (source, line, field) and what. A template built in Java
 * has no lines: its errors have line 0 and name the field path only.
 */
public record TemplateError(String source, int line, String field, String message) {
  @Override
  public String toString() {
    return source
        + (line > 0 ? ":" + line : "")
        + ": "
        + (field.isEmpty() ? "" : field + ": ")
        + message;
  }
}
