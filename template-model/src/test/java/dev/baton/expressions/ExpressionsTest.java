package dev.baton.expressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpressionsTest {
  static final Map<String, Object> VARS =
      Map.of(
          "params", Map.of("env", "prod", "files", "a,b,c"),
          "jobs",
              Map.of(
                  "gen",
                  Map.of(
                      "outputs",
                      Map.of("items", "[1, 2, {\"k\": 3}]", "n", "4"),
                      "status",
                      "SUCCEEDED")),
          "run", Map.of("id", "r1"));

  @Test
  void conditionsOverParamsAndOutputs() throws Exception {
    assertTrue(Expressions.evalBool("params.env == 'prod'", VARS));
    assertFalse(Expressions.evalBool("int(jobs.gen.outputs.n) > 10", VARS));
    assertTrue(Expressions.evalBool("jobs.gen.status == 'SUCCEEDED'", VARS));
  }

  @Test
  void listsFromLiteralsSplitsAndJsonOutputs() throws Exception {
    assertEquals(List.of("1", "2", "3"), Expressions.evalList("[1, 2, 3]", VARS));
    assertEquals(List.of("a", "b", "c"), Expressions.evalList("params.files.split(',')", VARS));
    assertEquals(
        List.of("1", "2", "{\"k\":3}"), Expressions.evalList("jobs.gen.outputs.items", VARS));
  }

  @Test
  void checkTellsTheResultKind() throws Exception {
    assertEquals(Expressions.ResultKind.BOOL, Expressions.check("params.env == 'x'"));
    assertEquals(Expressions.ResultKind.LIST, Expressions.check("[1,2]"));
    assertEquals(Expressions.ResultKind.OTHER, Expressions.check("params.env"));
    assertEquals(Expressions.ResultKind.DYNAMIC, Expressions.check("jobs.a.outputs.x"));
    assertThrows(
        Expressions.InvalidExpressionException.class, () -> Expressions.check("params.env =="));
    assertThrows(Expressions.InvalidExpressionException.class, () -> Expressions.check("nope.x"));
  }

  @Test
  void nonListIsAnError() {
    var e =
        assertThrows(
            Expressions.InvalidExpressionException.class,
            () -> Expressions.evalList("jobs.gen.outputs.n", VARS));
    assertTrue(e.getMessage().contains("not a list"), e.getMessage());
  }

  @Test
  void evaluationThatWouldExhaustMemoryFailsWithTheLimitNamed() {
    Map<String, Object> vars =
        Map.of("params", Map.of("x", "y".repeat(30)), "jobs", Map.of(), "run", Map.of("id", "r1"));
    String grow = "params.x";
    for (int i = 0; i < 5; i++) {
      grow = grow + ".replace('', params.x)";
    }
    String expression = grow + ".size() > 0";
    Expressions.InvalidExpressionException e =
        assertThrows(
            Expressions.InvalidExpressionException.class,
            () -> Expressions.evalBool(expression, vars));
    assertTrue(
        e.getMessage().contains("the limit is " + Expressions.MAX_VALUE_CHARS), e.getMessage());
  }

  @Test
  void eventFieldThatIsNullIsCelNullAndNeverAValue() throws Exception {
    Map<String, Object> event = new java.util.HashMap<>();
    event.put("id", null);
    event.put("total", 500L);
    event.put("tags", java.util.Arrays.asList("a", null));
    assertTrue(Expressions.evalEventBool("event.id == null", event));
    assertFalse(Expressions.evalEventBool("event.total > 100 && event.id != null", event));
    var mapped =
        assertThrows(
            Expressions.InvalidExpressionException.class,
            () -> Expressions.evalEvent("event.id", event));
    assertEquals("'event.id' gave null; a value is needed", mapped.getMessage());
    assertEquals("[\"a\",null]", Expressions.text(Expressions.evalEvent("event.tags", event)));
    var filter =
        assertThrows(
            Expressions.InvalidExpressionException.class,
            () -> Expressions.evalEventBool("event.total", event));
    assertEquals("'event.total' gave a Long (500), not true or false", filter.getMessage());
    var missing =
        assertThrows(
            Expressions.InvalidExpressionException.class,
            () -> Expressions.evalEvent("event.nope", event));
    assertTrue(missing.getMessage().contains("key 'nope' is not present"), missing.getMessage());
  }

  @Test
  void errorsQuoteAShortenedExpressionAndCelsOwnTextAsWritten() {
    String longText = "params.env == '" + "x".repeat(5_000) + "'";
    var tooLong =
        assertThrows(
            Expressions.InvalidExpressionException.class,
            () -> Expressions.evalBool(longText + " + 1", VARS));
    assertTrue(
        tooLong.getMessage().length() < 1_000, tooLong.getMessage().length() + " characters");
    var notBool =
        assertThrows(
            Expressions.InvalidExpressionException.class,
            () -> Expressions.evalBool("params.env + '" + "y".repeat(3_000) + "'", VARS));
    assertTrue(
        notBool.getMessage().length() < 1_000, notBool.getMessage().length() + " characters");
    assertTrue(notBool.getMessage().contains("(3015 characters)"), notBool.getMessage());
    var percent =
        assertThrows(Expressions.InvalidExpressionException.class, () -> Expressions.check("%"));
    assertTrue(percent.getMessage().contains("mismatched input '%'"), percent.getMessage());
  }

  @Test
  void aFilterOnAFieldTheEventLacksFailsRatherThanSayingNo() {
    var e =
        assertThrows(
            Expressions.InvalidExpressionException.class,
            () -> Expressions.evalEventBool("event.status == 'OK'", Map.of("orderId", "o-1")));
    assertTrue(e.getMessage().contains("status"), e.getMessage());
  }
}
