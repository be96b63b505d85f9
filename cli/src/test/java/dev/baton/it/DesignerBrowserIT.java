package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.engine.api.ApiServer;
import dev.baton.engine.decide.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The designer in headless Chromium, driven as a user would: a template built from an empty canvas
 * by clicks and drags, applied and run; an existing template changed in its YAML pane and by
 * dragging an edge, comments kept. Screenshots go to target/ui-designer-*.png.
 */
class DesignerBrowserIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final ObjectMapper JSON = new ObjectMapper();
  static BatonHarness baton;
  static ApiServer api;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    baton = new BatonHarness("designer", work, null, 4);
    api = baton.startApi();
  }

  @AfterAll
  static void stop() {
    api.close();
    baton.close();
  }

  String page(String hash) {
    return "http://127.0.0.1:" + api.port() + "/#/" + hash;
  }

  /** The 1,000-job template's boxes are all drawn. */
  static final String THOUSAND_DRAWN = "document.querySelectorAll('g.job').length === 1000";

  static boolean holds(Cdp browser, String expression) throws Exception {
    return browser.eval("!!(" + expression + ")").asBoolean();
  }

  static void awaitTrue(Cdp browser, String expression) {
    await().atMost(WAIT).until(() -> holds(browser, expression));
  }

  static String text(Cdp browser, String expression) throws Exception {
    return browser.eval(expression).asText();
  }

  /** Sets an input's value and tells the page, as typing and leaving the field would. */
  static void type(Cdp browser, String selector, String value) throws Exception {
    browser.eval(
        "(() => { const el = document.querySelector("
            + JSON.writeValueAsString(selector)
            + "); el.value = "
            + JSON.writeValueAsString(value)
            + "; el.dispatchEvent(new Event('input', {bubbles: true}));"
            + " el.dispatchEvent(new Event('change', {bubbles: true})); return true; })()");
  }

  static void click(Cdp browser, String selector) throws Exception {
    browser.eval(
        "document.querySelector("
            + JSON.writeValueAsString(selector)
            + ").dispatchEvent(new MouseEvent('click', {bubbles: true})); true");
  }

  static String yaml(Cdp browser) throws Exception {
    return text(browser, "document.getElementById('yaml').value");
  }

  @Test
  void aTemplateBuiltByClickingIsValidatedAppliedAndRun() throws Exception {
    try (Cdp browser = Cdp.open(work.resolve("profile-new"))) {
      browser.navigate(page("templates/new"));
      awaitTrue(browser, "document.getElementById('add-command')");
      type(browser, "#template-name", "drawn");
      awaitTrue(browser, "document.getElementById('yaml').value.includes('name: drawn')");
      type(browser, "#template-params", "who");
      click(browser, "#add-command");
      click(browser, "#add-command");
      click(browser, "#add-command");
      awaitTrue(browser, "document.querySelectorAll('g.job').length === 3");
      // two in parallel, the third depending on both: dragged from each port onto the third box
      browser.drag("circle[data-port='command']", "g.job[data-job='command-3'] rect");
      awaitTrue(browser, "document.querySelectorAll('path.edge').length === 1");
      browser.drag("circle[data-port='command-2']", "g.job[data-job='command-3'] rect");
      awaitTrue(browser, "document.querySelectorAll('path.edge').length === 2");
      String drawn = yaml(browser);
      assertTrue(drawn.contains("dependsOn: [ command, command-2 ]"), drawn);
      // an empty required field: the error is pinned to its box and listed with its line
      click(browser, "g.job[data-job='command-2']");
      awaitTrue(browser, "document.getElementById('field-command')");
      type(browser, "#field-command", "");
      awaitTrue(
          browser, "document.querySelector(\"g.job[data-job='command-2'][data-error='true']\")");
      String errors = text(browser, "document.getElementById('errors').innerText");
      assertTrue(errors.contains("jobs[1].command"), errors);
      assertFalse(
          holds(browser, "document.querySelector(\"g.job[data-job='command'][data-error]\")"));
      // and to its field in the job's form
      click(browser, "g.job[data-job='command-2']");
      awaitTrue(browser, "document.querySelector('#field-command[aria-invalid=true]')");
      Files.write(Path.of("target/ui-designer-error.png").toAbsolutePath(), browser.screenshot());
      // fixed: the job says hello to the param
      click(browser, "g.job[data-job='command-2']");
      awaitTrue(browser, "document.getElementById('field-command')");
      type(browser, "#field-command", "echo\nhello ${params.who}");
      awaitTrue(browser, "document.getElementById('validation').textContent === 'valid'");
      assertFalse(holds(browser, "document.querySelector('g.job[data-error]')"));
      Files.write(Path.of("target/ui-designer-new.png").toAbsolutePath(), browser.screenshot());
      click(browser, "#apply");
      awaitTrue(
          browser, "document.getElementById('answer').textContent.startsWith('Applied drawn v1')");
      click(browser, "#run-template");
      awaitTrue(browser, "document.querySelector('#run-dialog input[data-param=who]')");
      type(browser, "#run-dialog input[data-param=who]", "designer");
      click(browser, "#start-run");
      awaitTrue(browser, "location.hash.startsWith('#/runs/')");
      String runId =
          java.net.URLDecoder.decode(
              text(browser, "location.hash.slice('#/runs/'.length)"),
              java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd(runId).status());
      assertEquals(
          "hello designer",
          baton
              .first(runId, dev.baton.events.RunEventType.JOB_SUCCEEDED, "command-2")
              .getOutputTail()
              .strip());
      awaitTrue(
          browser, "document.querySelector('h2 .status').textContent.startsWith('SUCCEEDED')");
    }
  }

  @Test
  void theYamlPaneAndTheDrawingEditOneDocumentAndCommentsSurvive() throws Exception {
    baton.apply(
        "commented.yaml",
        """
        # Orders, end to end.
        name: commented
        version: 3
        jobs:
          - name: fetch   # reads the orders
            command: ["true"]
          - name: check
            command: ["true"]
            dependsOn: []
        """);
    try (Cdp browser = Cdp.open(work.resolve("profile-edit"))) {
      browser.navigate(page("templates/commented/edit"));
      awaitTrue(browser, "document.querySelectorAll('g.job').length === 2");
      assertTrue(yaml(browser).contains("version: 4"), "editing makes the next version");
      // typed in the YAML pane: the drawing follows
      String typed =
          yaml(browser)
              .replace(
                  "    dependsOn: []",
                  "    dependsOn: []\n  - name: ship\n    command: [\"true\"]");
      type(browser, "#yaml", typed);
      awaitTrue(browser, "document.querySelectorAll('g.job').length === 3");
      awaitTrue(
          browser, "document.querySelector(\"path.edge[data-from='check'][data-to='ship']\")");
      // invalid YAML: the parser's error, and the last good drawing stays
      type(browser, "#yaml", typed + "\n  - name: [unclosed");
      awaitTrue(
          browser,
          "document.getElementById('yaml-error').textContent.includes('YAML error at line')");
      assertEquals(3, browser.eval("document.querySelectorAll('g.job').length").asInt());
      type(browser, "#yaml", typed);
      awaitTrue(browser, "document.getElementById('yaml-error').textContent === ''");
      // dragged: the YAML follows, its comments kept
      browser.drag("circle[data-port='fetch']", "g.job[data-job='ship'] rect");
      awaitTrue(
          browser, "document.getElementById('yaml').value.includes('dependsOn: [ check, fetch ]')");
      String after = yaml(browser);
      assertTrue(after.startsWith("# Orders, end to end."), after);
      assertTrue(after.contains("- name: fetch # reads the orders"), after);
      Files.write(Path.of("target/ui-designer-edit.png").toAbsolutePath(), browser.screenshot());
      // renamed in the form: the references follow
      click(browser, "g.job[data-job='check']");
      awaitTrue(browser, "document.getElementById('field-name')");
      type(browser, "#field-name", "verify");
      awaitTrue(
          browser,
          "document.getElementById('yaml').value.includes('dependsOn: [ verify, fetch ]')");
      assertFalse(yaml(browser).contains("check"), yaml(browser));
      // deleted: its box, its edges and every reference to it go
      click(browser, "g.job[data-job='fetch']");
      awaitTrue(browser, "document.getElementById('delete-job')");
      click(browser, "#delete-job");
      awaitTrue(browser, "document.querySelectorAll('g.job').length === 2");
      String left = yaml(browser);
      assertTrue(left.contains("dependsOn: [ verify ]"), left);
      assertFalse(left.contains("fetch"), left);
      assertTrue(left.startsWith("# Orders, end to end."), left);
    }
  }

  @Test
  void everyExampleTemplateOpensInTheDesignerAndSavesToAnEqualTemplate() throws Exception {
    java.util.List<Path> files;
    try (var list = Files.list(Path.of("../templates"))) {
      files = list.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(files.size() >= 10, "the examples: " + files);
    java.util.Map<String, dev.baton.template.Template> originals = new java.util.TreeMap<>();
    for (Path f : files) {
      String yaml = Files.readString(f);
      var t = dev.baton.template.Templates.parse(f.getFileName().toString(), yaml);
      // each under a name of its own here, so the other tests' templates and these stay apart
      originals.put(t.name(), t);
      baton.apply(f.getFileName().toString(), yaml);
    }
    try (Cdp browser = Cdp.open(work.resolve("profile-examples"))) {
      for (var e : originals.entrySet()) {
        browser.navigate(page("templates/" + e.getKey() + "/edit"));
        awaitTrue(
            browser,
            "document.getElementById('yaml') && document.getElementById('designer-title')"
                + ".textContent.startsWith("
                + JSON.writeValueAsString(e.getKey() + " v")
                + ") && document.querySelectorAll('g.job').length > 0");
        String saved = yaml(browser);
        int version = e.getValue().version();
        // the designer opens a template as its next version; saved unchanged, it is the same
        // template
        assertTrue(saved.contains("version: " + (version + 1)), saved);
        var reread =
            dev.baton.template.Templates.parse(
                e.getKey() + ".yaml",
                saved.replaceFirst("(?m)^version: " + (version + 1) + "$", "version: " + version));
        assertEquals(e.getValue(), reread, e.getKey() + " as the designer saves it:\n" + saved);
        assertEquals(
            e.getValue().jobs().size(),
            browser.eval("document.querySelectorAll('g.job').length").asInt(),
            e.getKey() + ": one box per job");
      }
    }
  }

  @Test
  void aThousandJobTemplateOpensAndIsLaidOutInUnderTwoSeconds() throws Exception {
    StringBuilder yaml = new StringBuilder("name: thousand\nversion: 1\njobs:\n");
    for (int i = 0; i < 1000; i++) {
      yaml.append("  - {name: j").append(i).append(", command: [\"true\"]");
      if (i >= 10) {
        yaml.append(", dependsOn: [j").append(i - 10);
        if (i % 3 == 0) {
          yaml.append(", j").append(i - 11);
        }
        yaml.append("]");
      } else {
        yaml.append(", dependsOn: []");
      }
      yaml.append("}\n");
    }
    baton.apply("thousand.yaml", yaml.toString());
    try (Cdp browser = Cdp.open(work.resolve("profile-thousand"))) {
      browser.navigate(page("templates/thousand"));
      awaitTrue(browser, THOUSAND_DRAWN);
      double pageDrawn = browser.eval("performance.now()").asDouble();
      // The bound is on the designer's work, not on what the suite's other JVMs take from these
      // two cores at that moment: the best of three opens and of three layouts is held to it.
      double[] opened = new double[3];
      double[] layout = new double[3];
      for (int i = 0; i < 3; i++) {
        // the user's way in: Edit on the template's page
        browser.eval("performance.clearMarks(); location.hash = '#/templates/thousand'; true");
        awaitTrue(browser, "document.getElementById('edit') && " + THOUSAND_DRAWN);
        browser.eval(
            "performance.mark('edit-clicked'); document.getElementById('edit').click(); true");
        // the designer's first drawing after Edit (a redraw of its last visit may come before)
        String drawn =
            "performance.getEntriesByName('baton-drawn').find(m => m.startTime >="
                + " performance.getEntriesByName('edit-clicked')[0].startTime)";
        awaitTrue(browser, drawn + " !== undefined");
        awaitTrue(browser, "document.getElementById('designer-title') && " + THOUSAND_DRAWN);
        opened[i] =
            browser
                .eval(
                    drawn
                        + ".startTime - performance.getEntriesByName('edit-clicked')[0].startTime")
                .asDouble();
        assertTrue(opened[i] >= 0, "the designer drew after Edit: " + opened[i]);
        // the layout alone, of a graph it has not laid out before (the ids differ)
        layout[i] =
            browser
                .eval(
                    "(async () => { const m = await import('/ui/components/dag.js');"
                        + " const t = await (await fetch('/api/templates/thousand')).json();"
                        + " const nodes = t.dag.nodes.map(n => ({...n, id: n.id + '-"
                        + i
                        + "'}));"
                        + " const edges = t.dag.edges.map(e => ({from: e.from + '-"
                        + i
                        + "', to: e.to + '-"
                        + i
                        + "'}));"
                        + " const t0 = performance.now(); m.dag({nodes, edges});"
                        + " return performance.now() - t0; })()")
                .asDouble();
      }
      System.out.printf(
          "designer, 1,000 jobs: template page drawn %.0f ms after a cold navigation; fresh"
              + " layouts %s ms; the designer opened and drew it %s ms after Edit%n",
          pageDrawn, Arrays.toString(layout), Arrays.toString(opened));
      double bestLayout = Arrays.stream(layout).min().orElseThrow();
      double bestOpen = Arrays.stream(opened).min().orElseThrow();
      assertTrue(bestLayout < 2000, "a layout of 1,000 jobs took " + bestLayout + " ms at best");
      assertTrue(
          bestOpen < 2000, "the designer took " + bestOpen + " ms at best to open 1,000 jobs");
      // the page answers: a job is selected and its form shown
      click(browser, "g.job[data-job='j500']");
      awaitTrue(browser, "document.getElementById('field-name')?.value === 'j500'");
    }
  }

  @Test
  void nothingTypedBecomesMarkup() throws Exception {
    String attack = "<img src=x onerror=\"window.pwned=1\">";
    try (Cdp browser = Cdp.open(work.resolve("profile-markup"))) {
      browser.navigate(page("templates/new"));
      awaitTrue(browser, "document.getElementById('add-command')");
      type(browser, "#template-description", attack);
      click(browser, "#add-command");
      awaitTrue(browser, "document.querySelectorAll('g.job').length === 1");
      click(browser, "g.job[data-job='command']");
      awaitTrue(browser, "document.getElementById('field-name')");
      type(browser, "#field-name", attack);
      // the name is refused by validation, pinned to its box, and shown as text everywhere
      awaitTrue(browser, "document.querySelector(\"g.job[data-error='true']\")");
      awaitTrue(browser, "document.getElementById('errors').textContent.includes('<img')");
      assertFalse(holds(browser, "document.querySelector('main img')"), "no element from the text");
      assertFalse(holds(browser, "window.pwned"), "no script from the text");
      assertEquals(
          attack,
          text(browser, "document.querySelector('g.job').getAttribute('data-job')"),
          "the box names the job by its text");
    }
  }

  @Test
  void twoVersionsAreComparedDrawnAndAsText() throws Exception {
    baton.apply(
        "versions-1.yaml",
        """
        name: versions
        version: 1
        jobs:
          - {name: extract, command: ["true"]}
          - {name: load, command: ["echo", "one"]}
        """);
    baton.apply(
        "versions-2.yaml",
        """
        name: versions
        version: 2
        jobs:
          - {name: extract, command: ["true"]}
          - {name: load, command: ["echo", "two"]}
          - {name: report, command: ["true"]}
        """);
    try (Cdp browser = Cdp.open(work.resolve("profile-versions"))) {
      browser.navigate(page("templates/versions?version=2&compare=1"));
      awaitTrue(browser, "document.getElementById('job-changes')");
      assertEquals(
          "load changed,report added",
          text(
              browser,
              "[...document.querySelectorAll('#job-changes .change')].map(c => c.textContent).join()"));
      assertEquals(
          "added",
          text(browser, "document.querySelector(\"g.job[data-job='report']\").dataset.change"));
      assertFalse(
          holds(browser, "document.querySelector(\"g.job[data-job='extract'][data-change]\")"));
      String diff = text(browser, "document.querySelector('pre.diff').textContent");
      assertTrue(diff.contains("-   - {name: load, command: [\"echo\", \"one\"]}"), diff);
      assertTrue(diff.contains("+   - {name: load, command: [\"echo\", \"two\"]}"), diff);
      assertEquals(
          "2,1",
          text(
              browser,
              "[...document.querySelectorAll('#versions tbody tr td:first-child')].map(c => c.textContent.slice(1)).join()"),
          "both versions are listed, newest first");
      Files.write(Path.of("target/ui-designer-compare.png").toAbsolutePath(), browser.screenshot());
    }
  }
}
