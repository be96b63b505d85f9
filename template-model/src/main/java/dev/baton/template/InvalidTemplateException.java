package dev.baton.template;

import java.util.List;
import java.util.stream.Collectors;

/** A template that cannot be applied; every error names its line and field. */
public class InvalidTemplateException extends Exception {
  private final List<TemplateError> errors;

  public InvalidTemplateException(List<TemplateError> errors) {
    super(errors.stream().map(TemplateError::toString).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  public List<TemplateError> errors() {
    return errors;
  }
}
