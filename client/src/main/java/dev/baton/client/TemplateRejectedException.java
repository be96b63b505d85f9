package dev.baton.client;

import dev.baton.template.TemplateError;
import java.util.List;

/**
 * A template refused, with every error at its line and field, as {@code baton templates apply}
 * prints them.
 */
public final class TemplateRejectedException extends BatonException {
  private final transient List<TemplateError> errors;

  public TemplateRejectedException(List<TemplateError> errors) {
    super(String.join("\n", errors.stream().map(TemplateError::toString).toList()));
    this.errors = List.copyOf(errors);
  }

  /** What is wrong, each at its source, line and field. */
  public List<TemplateError> errors() {
    return errors;
  }
}
