package dev.baton.engine.template;

import java.util.List;

/** Entry point: parse and validate a template document. */
public final class Templates {
  private Templates() {}

  /**
   * Parses and validates {@code yaml}; {@code source} names it in errors (a file path).
   *
   * @throws InvalidTemplateException with every error found, each with its line and field
   */
  public static Template parse(String source, String yaml) throws InvalidTemplateException {
    TemplateParser parser = new TemplateParser(source);
    Template template = parser.parse(yaml);
    if (template != null && parser.errors().isEmpty()) {
      new TemplateValidator(parser).validate(template);
    }
    List<TemplateError> errors = parser.errors();
    if (!errors.isEmpty()) {
      throw new InvalidTemplateException(errors);
    }
    return template;
  }
}
