package dev.baton.engine.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DeadLetterReasonsTest {
  @Test
  void reasonsTheEngineGivesMapToFewCodes() {
    assertEquals(
        "malformed",
        DeadLetterReasons.code("invalid completion: not valid JSON: Unexpected character"));
    assertEquals(
        "too_large",
        DeadLetterReasons.code(
            "a trigger of 2000000 bytes is larger than the limit of 1048576 bytes"));
    assertEquals("unknown_template", DeadLetterReasons.code("unknown template 'nope'"));
    assertEquals("unknown_template", DeadLetterReasons.code("template t v3 is not in the store"));
    assertEquals(
        "unknown_run",
        DeadLetterReasons.code("no run 'r' is known (it never started, or it ended and expired)"));
    assertEquals(
        "bad_parameter", DeadLetterReasons.code("missing required parameter 'x' for template 't'"));
    assertEquals("unknown_job", DeadLetterReasons.code("run 'r' has no job 'j'"));
    assertEquals(
        "refused_command",
        DeadLetterReasons.code("only a FAILED run can be retried; run 'r' is RUNNING"));
    assertEquals("other", DeadLetterReasons.code("something new"));
  }
}
