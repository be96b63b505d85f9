package dev.baton.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What apply checks of run: jobs against the templates they run, with line and field. */
class TemplateCompositionTest {
  static final String CHILD =
      """
      name: child
      version: 1
      params: {region: {required: true}, mode: {default: fast}}
      outputs: {total: "${jobs.count.outputs.n}"}
      jobs:
        - {name: count, command: [count], outputs: [n]}
      """;

  private final Map<String, Template> known = new LinkedHashMap<>();

  private Composition composition() {
    return new Composition(name -> Optional.ofNullable(known.get(name)), true);
  }

  private String refusal(String yaml) {
    InvalidTemplateException e =
        assertThrows(
            InvalidTemplateException.class, () -> Templates.parse("p.yaml", yaml, composition()));
    return e.getMessage();
  }

  private void know(String yaml) throws InvalidTemplateException {
    Template t = Templates.parse("k.yaml", yaml);
    known.put(t.name(), t);
  }

  @Test
  void aParentThatGivesWhatTheChildNeedsAndReadsWhatItDeclaresIsAccepted() throws Exception {
    know(CHILD);
    Template parent =
        Templates.parse(
            "p.yaml",
            """
            name: parent
            version: 1
            jobs:
              - name: sub
                run: {template: child, params: {region: eu}}
              - {name: use, command: [echo, "${jobs.sub.outputs.total}"]}
            """,
            composition());
    assertEquals("child", parent.job("sub").orElseThrow().run().template());
  }

  @Test
  void anUnknownTemplateIsRefusedAtItsLine() {
    String why =
        refusal(
            """
            name: parent
            version: 1
            jobs:
              - name: sub
                run: {template: nowhere}
            """);
    assertTrue(
        why.contains(
            "p.yaml:5: jobs[0].run.template: unknown template 'nowhere' (apply it first, or in the"
                + " same apply as this one)"),
        why);
  }

  @Test
  void paramsTheChildDoesNotDeclareOrRequiresAreRefused() throws Exception {
    know(CHILD);
    String why =
        refusal(
            """
            name: parent
            version: 1
            jobs:
              - name: sub
                run: {template: child, params: {regoin: eu}}
            """);
    assertTrue(
        why.contains(
            "jobs[0].run.params.regoin: template 'child' declares no parameter 'regoin' (declared:"
                + " mode, region)"),
        why);
    assertTrue(
        why.contains("jobs[0].run.params: template 'child' requires parameter 'region'"), why);
  }

  @Test
  void anOutputTheChildDoesNotDeclareIsRefusedWhereItIsRead() throws Exception {
    know(CHILD);
    String why =
        refusal(
            """
            name: parent
            version: 1
            jobs:
              - name: sub
                run: {template: child, params: {region: eu}}
              - {name: use, command: [echo, "${jobs.sub.outputs.sum}"]}
            """);
    assertTrue(
        why.contains(
            "p.yaml:6: jobs[1].command[1]: template 'child', which job 'sub' runs, declares no"
                + " output 'sum' (declared: total)"),
        why);
  }

  @Test
  void runsThatComeBackToTheirTemplateAreRefused() throws Exception {
    String self =
        refusal(
            """
            name: loop
            version: 1
            jobs:
              - name: again
                run: {template: loop}
            """);
    assertTrue(self.contains("jobs[0].run.template: runs come back to 'loop': loop -> loop"), self);
    know(
        """
        name: b
        version: 1
        jobs:
          - {name: back, run: {template: a}}
        """);
    String indirect =
        refusal(
            """
            name: a
            version: 1
            jobs:
              - {name: to-b, run: {template: b}}
            """);
    assertTrue(indirect.contains("runs come back to 'a': a -> b -> a"), indirect);
  }

  @Test
  void aChainDeeperThanTheLimitIsRefused() throws Exception {
    int levels = RunSpec.MAX_DEPTH + 1; // a run of top is level 0: levels 1 to 9 below it
    for (int i = 1; i <= levels; i++) {
      know(
          "name: level"
              + i
              + "\nversion: 1\njobs:\n"
              + (i < levels
                  ? "  - {name: down, run: {template: level" + (i + 1) + "}}\n"
                  : "  - {name: leaf, command: [\"true\"]}\n"));
    }
    String why =
        refusal(
            """
            name: top
            version: 1
            jobs:
              - {name: down, run: {template: level1}}
            """);
    assertTrue(why.contains("runs nest 9 levels deep through 'level1'; at most 8"), why);
    known.remove("level9");
    known.put(
        "level8",
        Templates.parse(
            "k.yaml", "name: level8\nversion: 1\njobs:\n  - {name: leaf, command: [\"true\"]}\n"));
    Templates.parse(
        "p.yaml",
        "name: top\nversion: 1\njobs:\n  - {name: down, run: {template: level1}}\n",
        composition()); // 8 levels: accepted
  }
}
