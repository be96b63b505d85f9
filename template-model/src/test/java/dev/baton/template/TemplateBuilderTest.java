package dev.baton.template;

import static dev.baton.template.HttpCall.get;
import static dev.baton.template.HttpCall.post;
import static dev.baton.template.Param.optional;
import static dev.baton.template.Param.required;
import static dev.baton.template.Param.withDefault;
import static dev.baton.template.PodOptions.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A template written in Java is the template its YAML gives, and is refused as the YAML is. */
class TemplateBuilderTest {

  @Test
  void buildsWhatTheParserReadsFromTheSameYaml() throws Exception {
    Template built =
        Template.named("order")
            .version(3)
            .param("order", required())
            .job(
                "charge",
                j ->
                    j.http(
                        post("https://payments.example/charges")
                            .body("{\"order\": \"${params.order}\"}")))
            .job(
                "reserve",
                j -> j.service("inventory.requests").dependsOn("charge").outputs("reservationId"))
            .job(
                "ship",
                j ->
                    j.command("ship", "${jobs.reserve.outputs.reservationId}").image("acme/ship:1"))
            .build();
    String yaml =
        """
        name: order
        version: 3
        params: {order: {required: true}}
        jobs:
          - name: charge
            http: {method: POST, url: "https://payments.example/charges", body: '{"order": "${params.order}"}'}
          - name: reserve
            service: {topic: inventory.requests, value: {}}
            dependsOn: [charge]
            outputs: [reservationId]
          - name: ship
            command: [ship, "${jobs.reserve.outputs.reservationId}"]
            image: acme/ship:1
        """;
    assertEquals(Templates.parse("order.yaml", yaml), built);
    assertEquals(built, Templates.parse("written", built.toYaml()), built.toYaml());
    assertEquals(
        List.of("reserve"),
        built.job("ship").orElseThrow().dependsOn(),
        "a job without dependsOn runs after the job added before it");
  }

  /** Every builder method, against the fixture that holds every field. */
  @Test
  void everyFieldOfTheFixtureCanBeWrittenInJava() throws Exception {
    String fixture =
        Files.readString(TemplateValidatorTest.FIXTURES.resolve("valid/every-field.yaml"));
    Map<String, Object> serviceValue = new LinkedHashMap<>();
    Map<String, Object> nothing = new LinkedHashMap<>();
    nothing.put("empty", null);
    serviceValue.putAll(nothing);
    serviceValue.put("list", List.of("a", 2, Map.of("deep", "x")));
    serviceValue.put("nested", Map.of());
    Template built =
        Template.named("every-field")
            .version(7)
            .description("One of each: read by TemplateYamlTest")
            .param("team", withDefault("data").description("who owns the run"))
            .param("day", optional())
            .param("region", withDefault("eu"))
            .on(
                Trigger.topic("orders.placed")
                    .filter("event.total > 10")
                    .param("day", "event.day")
                    .param("region", "event.region")
                    .idempotencyKey("event.id"))
            .on(
                Trigger.webhook("nightly")
                    .secret("hooks", "nightly")
                    .signatureHeader("X-Signature")
                    .param("region", "body.region"))
            .cron("30 2 * * *", ZoneId.of("Europe/Paris"), true)
            .tenant("${params.team}")
            .priority(-5)
            .job(
                "build",
                j ->
                    j.command(
                            "sh",
                            "-c",
                            "echo \"building for $REGION\"\necho result=ok > \"$BATON_OUTPUTS\"\n")
                        .image("acme/build:1")
                        .env("REGION", "${params.region}")
                        .env("EMPTY", "")
                        .secretEnv("TOKEN", "build", "token")
                        .outputs("result")
                        .startTimeout(Duration.ofMinutes(3))
                        .runtime("kubernetes")
                        .kubernetes(
                            pod()
                                .requests("250m", "64Mi")
                                .limits(null, "128Mi")
                                .nodeSelector("pool", "batch")
                                .toleration(
                                    Map.of(
                                        "key", "batch",
                                        "operator", "Equal",
                                        "value", "true",
                                        "effect", "NoSchedule"))
                                .serviceAccountName("builder")
                                .imagePullSecret("registry")
                                .warm(1, 3, Duration.ofSeconds(90), true))
                        .cache("${params.region}", Duration.ofDays(2))
                        .retry(2, "lost"))
            .job(
                "first-of-its-own",
                j ->
                    j.dependsOn().command("true", "null", "1", "yes", "#not a comment", "'quoted'"))
            .job(
                "child",
                j ->
                    j.dependsOn("build", "first-of-its-own")
                        .run("other", Map.of("region", "${params.region}"))
                        .startTimeout(Duration.ofSeconds(45)))
            .job("nap", j -> j.sleepUntil("${params.day}T00:00:00Z"))
            .job("notify", j -> j.service("notify.requests", null, serviceValue))
            .job("cached", j -> j.command("echo", "${params.team}").cache("n-${params.team}"))
            .job("go-ahead", j -> j.approval(""))
            .job(
                "check",
                j -> j.http(get("http://status.example/health")).timeout(Duration.ofMillis(1500)))
            .job("pause", j -> j.sleep(Duration.ofHours(25)).sla(Duration.ofHours(26)))
            .timeout(Duration.ofDays(3))
            .sla(Duration.ofHours(2))
            .maxConcurrentRuns(10)
            .output("result", "${jobs.build.outputs.result}")
            .output("region", "${params.region}")
            .onExit(
                "report",
                j ->
                    j.command("report", "${run.status}")
                        .retry(1, Duration.ofSeconds(2), 2, Duration.ofMinutes(5))
                        .timeout(Duration.ofMinutes(10)))
            .build();
    assertEquals(Templates.parse("every-field.yaml", fixture), built);
  }

  @Test
  void artifactsAreDeclaredAsTheYamlDeclaresThem() throws Exception {
    Template built =
        Template.named("artifacts")
            .version(1)
            .job(
                "extract",
                j ->
                    j.command("sh", "-c", "seq 1 10 > \"$BATON_ARTIFACTS/out/orders.csv\"")
                        .artifactOut("orders", "orders.csv")
                        .artifactOut("empty", "sub/dir/empty.bin"))
            .job(
                "load",
                j ->
                    j.command("wc", "-l", "$BATON_ARTIFACTS/in/orders")
                        .artifactIn("extract", "orders"))
            .job(
                "each-order",
                j ->
                    j.dependsOn("extract")
                        .forEachLineOf("extract", "orders")
                        .command("echo", "${item}"))
            .build();
    Template parsed =
        Templates.parse(
            "artifacts.yaml",
            Files.readString(TemplateValidatorTest.FIXTURES.resolve("valid/artifacts.yaml")));
    assertEquals(parsed, built);
    assertEquals(
        Map.of("orders", "${jobs.extract.artifacts.orders}"), built.jobs().get(1).artifacts().in());
  }

  @Test
  void waitsTakeTheirTimeoutAndTheirOutputsFromTheWait() throws Exception {
    Template built =
        Template.named("waits")
            .version(1)
            .param("orderId", required())
            .job(
                "await-payment",
                j ->
                    j.waitFor(
                            EventMatch.on("payments.settled")
                                .key("event.orderId")
                                .match("${params.orderId}")
                                .filter("event.status == 'OK'")
                                .output("amount", "event.amount")
                                .buffer(Duration.ofMinutes(30)))
                        .timeout(Duration.ofHours(2))
                        .retry(1))
            .job(
                "approve",
                j ->
                    j.approval(
                            "Ship order ${params.orderId} for ${jobs.await-payment.outputs.amount}?",
                            "comment")
                        .timeout(Duration.ofHours(24)))
            .job(
                "ship",
                j ->
                    j.command(
                        "echo",
                        "${jobs.await-payment.outputs.amount}",
                        "${jobs.approve.outputs.comment}"))
            .build();
    String fixture = Files.readString(TemplateValidatorTest.FIXTURES.resolve("valid/waits.yaml"));
    assertEquals(Templates.parse("waits.yaml", fixture), built);
  }

  @Test
  void refusesWithTheFieldPathsApplyGivesAndNoLine() {
    TemplateBuildException e =
        assertThrows(
            TemplateBuildException.class,
            () ->
                Template.named("typo-dep")
                    .version(1)
                    .job("build", j -> j.command("make"))
                    .job("test", j -> j.dependsOn("biuld").command("make", "test"))
                    .build());
    assertEquals(
        List.of("jobs[1].dependsOn[0]"),
        e.errors().stream().map(TemplateError::field).toList(),
        e.getMessage());
    assertEquals(0, e.errors().get(0).line());
    assertTrue(
        e.getMessage()
            .startsWith("Template.named(\"typo-dep\"): jobs[1].dependsOn[0]: unknown job 'biuld'"),
        e.getMessage());

    TemplateBuildException twoKinds =
        assertThrows(
            TemplateBuildException.class,
            () ->
                Template.named("two-kinds")
                    .version(1)
                    .job("both", j -> j.command("x").http(get("https://a.example")))
                    .build());
    assertEquals(
        "Template.named(\"two-kinds\"): jobs[0].command: a http step runs no process: it has no"
            + " command (http beside it)",
        twoKinds.getMessage());
  }

  @Test
  void refusesAMissingVersionAndANameThatIsNotOne() {
    TemplateBuildException e =
        assertThrows(
            TemplateBuildException.class,
            () -> Template.named("Orders").job("a", j -> j.command("true")).build());
    assertEquals(
        List.of("name", "version"),
        e.errors().stream().map(TemplateError::field).sorted().toList(),
        e.getMessage());
  }

  @Test
  void aValueThatIsNotDataIsRefusedAtOnce() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Template.named("x").job("a", j -> j.emit("t", null, new Object())));
    assertTrue(e.getMessage().contains("maps, lists, text"), e.getMessage());
  }
}
