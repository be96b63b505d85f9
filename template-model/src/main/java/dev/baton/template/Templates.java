package dev.baton.template;

import java.util.List;

/** Entry point: parse and validate a template document. */
public final class Templates {
  private Templates() {}

  /** Whether {@code text} can name a template or a job: lower-case letters, digits and '-'. */
  public static boolean isName(String text) {
    return text != null && TemplateParser.NAME.matcher(text).matches();
  }

  /** Longest template text accepted. */
  public static final int MAX_TEMPLATE_CHARS = 1 << 20;

  /** Most jobs of one template (its exit handler not counted). */
  public static final int MAX_JOBS = 1_000;

  /**
   * Parses and validates {@code yaml}; {@code source} names it in errors (a file path).
   *
   * @throws InvalidTemplateException with every error found, each with its line and field
   */
  public static Template parse(String source, String yaml) throws InvalidTemplateException {
    return parse(source, yaml, null);
  }

  /**
   * Parses and validates {@code yaml}, and, with {@code composition}, what its {@code run:} jobs
   * need of the templates they run.
   */
  public static Template parse(String source, String yaml, Composition composition)
      throws InvalidTemplateException {
    if (yaml.length() > MAX_TEMPLATE_CHARS) {
      throw new InvalidTemplateException(
          List.of(
              new TemplateError(
                  source,
                  1,
                  "",
                  "the template is "
                      + yaml.length()
                      + " characters; the limit is "
                      + MAX_TEMPLATE_CHARS)));
    }
    TemplateParser parser = new TemplateParser(source);
    Template template = parser.parse(yaml);
    if (template != null && parser.errors().isEmpty()) {
      new TemplateValidator(parser, composition).validate(template);
    }
    List<TemplateError> errors = parser.errors();
    if (!errors.isEmpty()) {
      throw new InvalidTemplateException(errors);
    }
    return template;
  }

  /**
   * An error at {@code field} of a template that parsed (a check that needs more than the text,
   * such as whether a topic exists), with the field's line in {@code yaml}.
   */
  public static TemplateError errorAt(String source, String yaml, String field, String message) {
    TemplateParser parser = new TemplateParser(source);
    parser.parse(yaml);
    return new TemplateError(source, parser.lineOf(field), field, message);
  }
}
