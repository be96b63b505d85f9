package dev.baton.template;

/** One thing wrong with a template: where (source, line, field) and what. */
public record TemplateError(String source, int line, String field, String message) {
  @Override
  public String toString() {
    return source + ":" + line + ": " + (field.isEmpty() ? "" : field + ": ") + message;
  }
}
