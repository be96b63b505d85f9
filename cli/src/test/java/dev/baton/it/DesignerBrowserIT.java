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
    }
  }
}
