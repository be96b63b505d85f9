package dev.baton.expressions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelUnknownSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * CEL expressions of templates ({@code when}, {@code forEach}). Variables: {@code params} (map of
 * string), {@code jobs} ({@code jobs.<name>.outputs.<key>}, {@code jobs.<name>.status}), {@code
 * run} ({@code run.id}). Strings extensions ({@code split}, {@code trim}, ...) are on. Compiled
 * programs are cached by text; evaluation is deterministic.
 *
 * <p>What one expression may cost is bounded: at most {@value #MAX_EXPRESSION_CHARS} characters of
 * text (no macros, so no loops: the work of an evaluation follows its text), and no value along the
 * way longer than {@value #MAX_VALUE_CHARS} characters or with more than {@value #MAX_ELEMENTS}
 * elements. An expression that goes past a bound fails like any other evaluation error, with the
 * bound named.
 */
public final class Expressions {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Longest expression text accepted. */
  public static final int MAX_EXPRESSION_CHARS = 4_096;

  /** Most elements of one list or map value. */
  public static final int MAX_ELEMENTS = 10_000;

  /** Longest string a step of an evaluation may make. */
  public static final int MAX_VALUE_CHARS = 1 << 20;

  /** 1 == 1.0 and 2 < 2.5 hold, as people expect of JSON numbers. */
  private static final dev.cel.common.CelOptions OPTIONS =
      dev.cel.common.CelOptions.current()
          .enableHeterogeneousNumericComparisons(true)
          .maxExpressionCodePointSize(MAX_EXPRESSION_CHARS)
          .build();

  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .addVar("params", MapType.create(SimpleType.STRING, SimpleType.STRING))
          .addVar("jobs", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("run", MapType.create(SimpleType.STRING, SimpleType.STRING))
          .addLibraries(CelExtensions.strings())
          .build();

  /** For trigger rules: the domain event is the one variable. */
  private static final CelCompiler EVENT_COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .addVar("event", SimpleType.DYN)
          .addLibraries(CelExtensions.strings())
          .build();

  /** For an HTTP step's outputs: the response is the one variable. */
  private static final CelCompiler RESPONSE_COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .addVar("response", SimpleType.DYN)
          .addLibraries(CelExtensions.strings())
          .build();

  /** For a webhook's rule: the request's JSON body and its headers (lower-case names). */
  private static final CelCompiler REQUEST_COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .addVar("body", SimpleType.DYN)
          .addVar("headers", MapType.create(SimpleType.STRING, SimpleType.STRING))
          .addLibraries(CelExtensions.strings())
          .build();

  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.legacyCelRuntimeBuilder()
          .setOptions(OPTIONS)
          .addLibraries(CelExtensions.strings())
          .build();
  private static final Map<String, CelRuntime.Program> PROGRAMS = new ConcurrentHashMap<>();

  private Expressions() {}

  /** What an expression gives, as far as its text tells. */
  public enum ResultKind {
    BOOL,
    LIST,
    DYNAMIC,
    OTHER
  }

  /** Compiles {@code expression}; returns its result kind, or throws with CEL's message. */
  public static ResultKind check(String expression) throws InvalidExpressionException {
    CelKind kind = compile(expression).getResultType().kind();
    return switch (kind) {
      case BOOL -> ResultKind.BOOL;
      case LIST -> ResultKind.LIST;
      case DYN, ANY -> ResultKind.DYNAMIC;
      default -> ResultKind.OTHER;
    };
  }

  /** Compiles an expression over {@code event} (a trigger rule's filter or mapping). */
  public static void checkEvent(String expression) throws InvalidExpressionException {
    compile(EVENT_COMPILER, expression);
  }

  /**
   * Evaluates an expression over {@code event} (a map from the event's JSON or Avro; a JSON null is
   * CEL's {@code null}, so {@code event.id != null} tests for it). The result is a value: null, or
   * anything CEL cannot know, is an error naming the expression.
   */
  public static Object evalEvent(String expression, Object event)
      throws InvalidExpressionException {
    return evalWith("event:", EVENT_COMPILER, expression, Map.of("event", withCelNulls(event)));
  }

  /** Compiles a webhook rule's expression over {@code body} and {@code headers}. */
  public static void checkRequest(String expression) throws InvalidExpressionException {
    compile(REQUEST_COMPILER, expression);
  }

  /**
   * Evaluates a webhook rule's expression over a request's JSON {@code body} and its {@code
   * headers} (lower-case names, first value of each), as {@link #evalEvent} does over an event.
   */
  public static Object evalRequest(String expression, Object body, Map<String, String> headers)
      throws InvalidExpressionException {
    return evalWith(
        "request:",
        REQUEST_COMPILER,
        expression,
        Map.of("body", withCelNulls(body), "headers", headers));
  }

  /** A webhook rule's filter: true or false, nothing else. */
  public static boolean evalRequestBool(String expression, Object body, Map<String, String> headers)
      throws InvalidExpressionException {
    return bool(expression, evalRequest(expression, body, headers));
  }

  /** Evaluates with {@code compiler}'s variables; programs are kept under {@code kind}. */
  private static Object evalWith(
      String kind, CelCompiler compiler, String expression, Map<String, ?> vars)
      throws InvalidExpressionException {
    CelRuntime.Program program = PROGRAMS.get(kind + expression);
    if (program == null) {
      try {
        program = RUNTIME.createProgram(compile(compiler, expression));
      } catch (CelEvaluationException e) {
        throw new InvalidExpressionException(firstLine(e.getMessage()));
      }
      PROGRAMS.put(kind + expression, program);
    }
    return value(expression, bounded(expression, program, vars));
  }

  /** Compiles an HTTP step's output over {@code response}. */
  public static void checkResponse(String expression) throws InvalidExpressionException {
    compile(RESPONSE_COMPILER, expression);
  }

  /**
   * Evaluates an HTTP step's output over {@code response} ({@code status}, {@code headers}, {@code
   * json}, {@code text}), as {@link #evalEvent} does over an event.
   */
  public static Object evalResponse(String expression, Map<String, Object> response)
      throws InvalidExpressionException {
    return evalWith(
        "response:", RESPONSE_COMPILER, expression, Map.of("response", withCelNulls(response)));
  }

  /** A trigger rule's filter over {@code event}: true or false, nothing else. */
  public static boolean evalEventBool(String expression, Object event)
      throws InvalidExpressionException {
    return bool(expression, evalEvent(expression, event));
  }

  private static boolean bool(String expression, Object result) throws InvalidExpressionException {
    if (result instanceof Boolean b) {
      return b;
    }
    throw new InvalidExpressionException(
        "'" + shortened(expression) + "' gave " + describe(result) + ", not true or false");
  }

  /**
   * A JSON null inside the event as CEL's null (a Java null would make the field unknown to CEL).
   */
  private static Object withCelNulls(Object value) {
    return withLeaves(value, v -> v == null ? NullValue.NULL_VALUE : v);
  }

  /** CEL's nulls back as JSON's, for a list or map written as JSON text. */
  private static Object withJavaNulls(Object value) {
    return withLeaves(value, v -> v instanceof NullValue ? null : v);
  }

  /** A copy of nested maps and lists with each leaf value replaced by {@code leaf}'s. */
  private static Object withLeaves(Object value, UnaryOperator<Object> leaf) {
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(k, withLeaves(v, leaf)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(v -> copy.add(withLeaves(v, leaf)));
      return copy;
    }
    return leaf.apply(value);
  }

  /** The result when it is a value; null, or a result CEL could not know, is an error. */
  private static Object value(String expression, Object result) throws InvalidExpressionException {
    if (result == null || result instanceof NullValue) {
      throw new InvalidExpressionException(
          "'" + shortened(expression) + "' gave null; a value is needed");
    }
    if (result instanceof CelUnknownSet) {
      throw new InvalidExpressionException(
          "'" + shortened(expression) + "' has no value: it reads something that is not known");
    }
    return result;
  }

  /** A value as text: strings as they are, whole doubles without ".0", lists and maps as JSON. */
  public static String text(Object o) {
    if (o instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
      return Long.toString(d.longValue());
    }
    if (o instanceof Map<?, ?> || o instanceof List<?>) {
      try {
        return JSON.writeValueAsString(withJavaNulls(o));
      } catch (Exception e) {
        return String.valueOf(o);
      }
    }
    return String.valueOf(o);
  }

  private static CelAbstractSyntaxTree compile(String expression)
      throws InvalidExpressionException {
    return compile(COMPILER, expression);
  }

  private static CelAbstractSyntaxTree compile(CelCompiler compiler, String expression)
      throws InvalidExpressionException {
    try {
      return compiler.compile(expression).getAst();
    } catch (CelValidationException e) {
      throw new InvalidExpressionException(firstLine(e.getMessage()));
    }
  }

  /** Evaluates a condition. */
  public static boolean evalBool(String expression, Map<String, ?> vars)
      throws InvalidExpressionException {
    return bool(expression, value(expression, eval(expression, vars)));
  }

  /**
   * Evaluates a list; a string holding a JSON array (a job output) counts as that list. Items come
   * back as strings (JSON text for objects and lists).
   */
  public static List<String> evalList(String expression, Map<String, ?> vars)
      throws InvalidExpressionException {
    Object result = value(expression, eval(expression, vars));
    if (result instanceof String s && s.strip().startsWith("[")) {
      try {
        JsonNode array = JSON.readTree(s);
        List<String> items = new ArrayList<>();
        array.forEach(n -> items.add(n.isValueNode() ? n.asText() : n.toString()));
        return items;
      } catch (Exception e) {
        throw new InvalidExpressionException(
            "'" + shortened(expression) + "' gave a string that is not a JSON array");
      }
    }
    if (result instanceof List<?> list) {
      List<String> items = new ArrayList<>();
      for (Object o : list) {
        items.add(text(o));
      }
      return items;
    }
    throw new InvalidExpressionException(
        "forEach '" + shortened(expression) + "' gave " + describe(result) + ", not a list");
  }

  private static Object eval(String expression, Map<String, ?> vars)
      throws InvalidExpressionException {
    CelRuntime.Program program = PROGRAMS.get(expression);
    if (program == null) {
      try {
        program = RUNTIME.createProgram(compile(expression));
      } catch (CelEvaluationException e) {
        throw new InvalidExpressionException(firstLine(e.getMessage()));
      }
      PROGRAMS.put(expression, program);
    }
    return bounded(expression, program, vars);
  }

  /** Evaluates, stopping at the first value past the bounds. */
  private static Object bounded(String expression, CelRuntime.Program program, Map<String, ?> vars)
      throws InvalidExpressionException {
    try {
      return program.trace(vars, (expr, value) -> checkSize(value));
    } catch (CelEvaluationException e) {
      Throwable cause = e.getCause();
      String why = cause instanceof TooCostly ? cause.getMessage() : firstLine(e.getMessage());
      throw new InvalidExpressionException("'" + shortened(expression) + "': " + why);
    } catch (TooCostly e) {
      throw new InvalidExpressionException("'" + shortened(expression) + "': " + e.getMessage());
    } catch (OutOfMemoryError e) {
      // One step asked for more memory than there is (a string built from itself, say); the
      // allocation failed, nothing else was changed.
      throw new InvalidExpressionException(
          "'"
              + shortened(expression)
              + "': ran out of memory evaluating it (values are limited to "
              + MAX_VALUE_CHARS
              + " characters)");
    }
  }

  private static void checkSize(Object value) {
    if (value instanceof CharSequence s && s.length() > MAX_VALUE_CHARS) {
      throw new TooCostly(
          "made a string of " + s.length() + " characters; the limit is " + MAX_VALUE_CHARS);
    }
    if (value instanceof Collection<?> c && c.size() > MAX_ELEMENTS) {
      throw new TooCostly("made a list of " + c.size() + " elements; the limit is " + MAX_ELEMENTS);
    }
    if (value instanceof Map<?, ?> m && m.size() > MAX_ELEMENTS) {
      throw new TooCostly("made a map of " + m.size() + " entries; the limit is " + MAX_ELEMENTS);
    }
  }

  /** An expression as errors quote it: its first 200 characters. */
  public static String shortened(String expression) {
    return expression.length() <= 200
        ? expression
        : expression.substring(0, 200) + "... (" + expression.length() + " characters)";
  }

  /** An evaluation that went past a bound. */
  private static final class TooCostly extends RuntimeException {
    TooCostly(String message) {
      super(message, null, false, false);
    }
  }

  private static String describe(Object result) {
    if (result instanceof CharSequence text) {
      return "the string '" + shortened(text.toString()) + "'";
    }
    String shown = text(result);
    return "a "
        + result.getClass().getSimpleName()
        + " ("
        + (shown.length() <= 200 ? shown : shown.substring(0, 200) + "...")
        + ")";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "invalid expression";
    }
    String m = message.strip();
    int nl = m.indexOf('\n');
    // CEL's parser doubles a '%' in the input it quotes ("mismatched input '%%'").
    String line = (nl < 0 ? m : m.substring(0, nl)).replace("%%", "%");
    return line.length() <= 500 ? line : line.substring(0, 500) + "...";
  }

  /** An expression that does not compile, or does not give what its field needs. */
  public static final class InvalidExpressionException extends Exception {
    public InvalidExpressionException(String message) {
      super(message);
    }
  }
}
