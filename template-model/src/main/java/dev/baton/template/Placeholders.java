package dev.baton.template;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ${...}} references of a template string: {@code ${params.x}}, {@code
 * ${jobs.<job>.outputs.<key>}}, {@code ${jobs.<job>.artifacts.<name>}} (in a job's {@code
 * artifacts.in} only), {@code ${run.id}}, {@code ${run.status}} (exit handler) and {@code ${item}}
 * (fan-out). <code>$${</code> writes a literal <code>${</code>. Substitution is plain text
 * replacement: a value never becomes shell syntax unless the template's own argv runs a shell.
 */
public final class Placeholders {
  private static final Pattern REF = Pattern.compile("\\$?\\$\\{([^}]*)}");
  private static final Pattern PARAM = Pattern.compile("params\\.([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern OUTPUT =
      Pattern.compile("jobs\\.([A-Za-z0-9][A-Za-z0-9_-]*)\\.outputs\\.([A-Za-z_][A-Za-z0-9_.-]*)");
  private static final Pattern ARTIFACT =
      Pattern.compile(
          "jobs\\.([A-Za-z0-9][A-Za-z0-9_-]*)\\.artifacts\\.([A-Za-z0-9][A-Za-z0-9_.-]*)");

  private Placeholders() {}

  /** A parsed reference. */
  public sealed interface Ref
      permits ParamRef, OutputRef, ArtifactRef, RunIdRef, RunStatusRef, ItemRef, BadRef {}

  public record ParamRef(String param) implements Ref {}

  public record OutputRef(String job, String key) implements Ref {}

  /** {@code ${jobs.<job>.artifacts.<name>}}: a file another job produced. */
  public record ArtifactRef(String job, String name) implements Ref {}

  public record RunIdRef() implements Ref {}

  /** {@code ${run.status}}: the run's outcome, in an exit handler. */
  public record RunStatusRef() implements Ref {}

  /** {@code ${item}}: the item of a fan-out instance. */
  public record ItemRef() implements Ref {}

  public record BadRef(String text) implements Ref {}

  /** Every reference in {@code text}, in order. */
  public static List<Ref> references(String text) {
    List<Ref> refs = new ArrayList<>();
    Matcher m = REF.matcher(text);
    while (m.find()) {
      if (!m.group().startsWith("$$")) {
        refs.add(parse(m.group(1).trim()));
      }
    }
    return refs;
  }

  /** Replaces every reference with {@code resolve}'s value; it throws for one it cannot resolve. */
  public static String substitute(String text, Function<Ref, String> resolve) {
    Matcher m = REF.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement =
          m.group().startsWith("$$")
              ? m.group().substring(1)
              : resolve.apply(parse(m.group(1).trim()));
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  static Ref parse(String body) {
    Matcher p = PARAM.matcher(body);
    if (p.matches()) {
      return new ParamRef(p.group(1));
    }
    Matcher o = OUTPUT.matcher(body);
    if (o.matches()) {
      return new OutputRef(o.group(1), o.group(2));
    }
    Matcher a = ARTIFACT.matcher(body);
    if (a.matches()) {
      return new ArtifactRef(a.group(1), a.group(2));
    }
    if (body.equals("run.id")) {
      return new RunIdRef();
    }
    if (body.equals("run.status")) {
      return new RunStatusRef();
    }
    if (body.equals("item")) {
      return new ItemRef();
    }
    return new BadRef(body);
  }
}
