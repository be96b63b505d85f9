package dev.baton.template;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A template written in Java that {@code apply} would refuse: every error, each naming its field
 * path (there is no file, so no line).
 */
public class TemplateBuildException extends IllegalArgumentException {
  private final transient List<TemplateError> errors;

  public TemplateBuildException(List<TemplateError> errors) {
    super(errors.stream().map(TemplateError::toString).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  public List<TemplateError> errors() {
    return errors;
  }
}
