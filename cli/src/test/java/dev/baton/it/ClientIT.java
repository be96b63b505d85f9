package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.dev.ChildProcess;
import dev.baton.cli.dev.DevFiles;
import dev.baton.client.BatonClient;
import dev.baton.client.BatonException;
import dev.baton.client.Reply;
import dev.baton.client.RunHandle;
import dev.baton.client.RunResult;
import dev.baton.client.RunTimeoutException;
import dev.baton.client.ServiceWorker;
import dev.baton.client.StartOptions;
import dev.baton.client.TemplateRejectedException;
import dev.baton.engine.decide.RunState;
import dev.baton.events.RunEventType;
import dev.baton.kafka.TopicAdmin;
import dev.baton.template.Param;
import dev.baton.template.Template;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client against a real broker, Redis and engine: runs started and awaited through one
 * client and one reader of the events topic, service steps answered by {@link ServiceWorker} (in
 * this JVM, and in a process of its own killed -9 mid-way), approvals, timeouts and the errors a
 * caller gets.
 */
class ClientIT {
  static final Duration LONG = Duration.ofMinutes(2);
  static final String REQUESTS = "client.doubling.requests";
  static final String NOBODY = "client.nobody.requests";
  static final String HASTY = "client.hasty.requests";
  @TempDir static Path work;
  static BatonHarness baton;
  static BatonClient client;

  @BeforeAll
  static void start() throws Exception {
    baton = new BatonHarness("client", work, null, 4);
    TopicAdmin.ensureNamed(baton.bootstrap, List.of(REQUESTS, NOBODY, HASTY), 3, (short) 1);
    baton.apply(
        "doubling.yaml",
        """
        name: doubling
        version: 1
        params:
          n: {required: true}
        jobs:
          - name: double
            service: {topic: client.doubling.requests, key: "${params.n}", value: {n: "${params.n}"}}
            timeout: 20s
            retry: {limit: 2, on: [timeout]}
            outputs: [doubled]
        """);
    baton.apply(
        "unanswered.yaml",
        """
        name: unanswered
        version: 1
        jobs:
          - name: ask
            service: {topic: client.nobody.requests, value: {q: "anyone?"}}
            timeout: 1h
        """);
    baton.apply(
        "hasty.yaml",
        """
        name: hasty
        version: 1
        jobs:
          - name: ask
            service: {topic: client.hasty.requests, value: {q: "now?"}}
            timeout: 1s
        """);
    baton.apply(
        "approved.yaml",
        """
        name: approved
        version: 1
        jobs:
          - name: approve
            wait:
              approval: {prompt: "Go?", inputs: [comment]}
              timeout: 1h
        """);
    client = BatonClient.builder(baton.bootstrap).topicPrefix(baton.prefix).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    baton.close();
  }

  @Test
  void aThousandRunsAreAwaitedThroughOneReaderAndAnsweredByOneWorker() throws Exception {
    try (ServiceWorker worker =
        ServiceWorker.on(client, REQUESTS, r -> DoublingWorker.answer(r, 0))
            .concurrency(8)
            .start()) {
      List<RunHandle> runs = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        runs.add(client.start("doubling", Map.of("n", Integer.toString(i))));
      }
      assertEquals(1, eventReaders(), "one reader of the events topic for every awaited run");
      for (int i = 0; i < runs.size(); i++) {
        RunResult r = runs.get(i).await(LONG);
        assertEquals(RunResult.Status.SUCCEEDED, r.status(), r.toString());
        assertEquals(Integer.toString(2 * i), r.outputs().get("double.doubled"), r.toString());
      }
      assertEquals(1, eventReaders());
      assertEquals(0, client.following(), "ended runs are not followed any more");
      assertTrue(worker.answered() >= 1_000, "answered " + worker.answered());
    }
  }

  /**
   * A start that names a run which exists starts nothing; its await gives that run's result, also
   * to a client that came after the run's events.
   */
  @Test
  void aStartThatNamesARunThatEndedGetsItsResultEvenInAClientThatCameLater() throws Exception {
    baton.apply(
        "once.yaml",
        """
        name: once
        version: 1
        params:
          n: {required: true}
        jobs:
          - name: inc
            command: [sh, -c, 'echo "n=$((N + 1))" >> "$BATON_OUTPUTS"']
            env: {N: "${params.n}"}
            outputs: [n]
        outputs: {next: "${jobs.inc.outputs.n}"}
        """);
    RunHandle first = client.start("once", Map.of("n", "1"), StartOptions.idempotencyKey("once-1"));
    RunResult done = first.await(LONG);
    assertEquals(Map.of("inc.n", "2", "next", "2"), done.outputs(), done.toString());
    try (BatonClient later =
        BatonClient.builder(baton.bootstrap).topicPrefix(baton.prefix).build()) {
      RunHandle again =
          later.start("once", Map.of("n", "5"), StartOptions.idempotencyKey("once-1"));
      assertEquals(first.runId(), again.runId());
      RunResult same = again.await(LONG);
      assertEquals(RunResult.Status.SUCCEEDED, same.status(), same.toString());
      assertEquals(done.outputs(), same.outputs(), "the run that exists, not a new one");
      RunResult byId =
          later.start("once", Map.of("n", "9"), StartOptions.runId(first.runId())).await(LONG);
      assertEquals(done.outputs(), byId.outputs(), byId.toString());
    }
    assertEquals(1, baton.count(first.runId(), RunEventType.RUN_STARTED, null));
  }

  @Test
  void aReplyForAnEndedAttemptIsNotApplied() throws Exception {
    RunHandle run;
    try (ServiceWorker worker =
        ServiceWorker.on(client, REQUESTS, r -> DoublingWorker.answer(r, 0)).group("first")) {
      worker.start();
      run = client.start("doubling", Map.of("n", "7"));
      assertEquals("14", run.await(LONG).outputs().get("double.doubled"));
    }
    // Another group reads every request again and answers each with a different value: each is
    // a second reply to an attempt that has ended, refused as a duplicate of the first.
    long duplicates = baton.engine.counters().duplicates();
    java.util.concurrent.atomic.AtomicBoolean ours =
        new java.util.concurrent.atomic.AtomicBoolean();
    try (ServiceWorker late =
        ServiceWorker.on(
                client,
                REQUESTS,
                r -> {
                  ours.compareAndSet(false, r.runId().equals(run.runId()));
                  return Reply.succeeded(Map.of("doubled", "-1"));
                })
            .group("late-" + run.runId())
            .start()) {
      await().atMost(LONG).untilTrue(ours);
      await().atMost(LONG).until(() -> baton.engine.counters().duplicates() > duplicates);
      assertTrue(late.answered() >= 1, "the late replies were sent");
    }
    RunState state = baton.engine.runs().find(run.runId()).orElseThrow();
    assertEquals("14", state.job("double").outputs().get("doubled"), "the first reply stands");
  }

  @Test
  void aRequestWhoseAttemptTimedOutIsSkippedAndOneInTimeCarriesItsDeadline() {
    RunResult timedOut = client.start("hasty", Map.of()).await(LONG);
    assertEquals(RunResult.Status.FAILED, timedOut.status(), "nobody answered within 1 s");
    java.util.concurrent.atomic.AtomicInteger handled =
        new java.util.concurrent.atomic.AtomicInteger();
    try (ServiceWorker worker =
        ServiceWorker.on(
                client,
                HASTY,
                r -> {
                  handled.incrementAndGet();
                  return Reply.succeeded();
                })
            .start()) {
      await().atMost(LONG).until(() -> worker.skipped() >= 1);
      assertEquals(0, handled.get(), "the handler never saw the request of the ended attempt");
    }
    java.util.concurrent.atomic.AtomicReference<java.time.Instant> deadline =
        new java.util.concurrent.atomic.AtomicReference<>();
    try (ServiceWorker worker =
        ServiceWorker.on(
                client,
                REQUESTS,
                r -> {
                  deadline.set(r.deadline());
                  return DoublingWorker.answer(r, 0);
                })
            .start()) {
      java.time.Instant started = java.time.Instant.now();
      assertEquals(
          "6",
          client.start("doubling", Map.of("n", "3")).await(LONG).outputs().get("double.doubled"));
      assertTrue(
          deadline.get().isAfter(started.plusSeconds(15))
              && deadline.get().isBefore(java.time.Instant.now().plusSeconds(21)),
          "the request says when its attempt times out (20 s): " + deadline.get());
      assertTrue(worker.answered() >= 1);
    }
  }

  @Test
  void aKilledWorkerLosesNoStep() throws Exception {
    ChildProcess worker =
        new ChildProcess(
                "doubling-worker",
                workerCommand(),
                Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")),
                work.resolve("doubling-worker.log"))
            .start();
    List<RunHandle> runs = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        runs.add(client.start("doubling", Map.of("n", Integer.toString(1_000 + i))));
      }
      await()
          .atMost(LONG)
          .until(() -> runs.stream().filter(r -> r.result().isDone()).count() >= 20);
    } finally {
      worker.kill(); // -9: what it read and did not answer is not committed
    }
    try (ServiceWorker next =
        ServiceWorker.on(client, REQUESTS, r -> DoublingWorker.answer(r, 0))
            .concurrency(8)
            .start()) {
      for (int i = 0; i < runs.size(); i++) {
        RunResult r = runs.get(i).await(LONG);
        assertEquals(RunResult.Status.SUCCEEDED, r.status(), r.toString());
        assertEquals(Integer.toString(2 * (1_000 + i)), r.outputs().get("double.doubled"));
      }
      assertTrue(next.answered() > 0, "the restarted worker answered what the killed one held");
    }
  }

  @Test
  void aHandlerThatThrowsFailsItsStepAndTheWorkerGoesOn() throws Exception {
    try (ServiceWorker worker =
        ServiceWorker.on(client, REQUESTS, r -> DoublingWorker.answer(r, 0)).start()) {
      RunResult bad = client.start("doubling", Map.of("n", "many")).await(LONG);
      assertEquals(RunResult.Status.FAILED, bad.status(), bad.toString());
      assertEquals("double", bad.failedJob());
      assertTrue(bad.reason().contains("many"), bad.reason());
      RunResult good = client.start("doubling", Map.of("n", "21")).await(LONG);
      assertEquals("42", good.outputs().get("double.doubled"));
      assertTrue(worker.answered() >= 2, "the failure was a reply too");
    }
  }

  @Test
  void awaitingARunThatDoesNotEndTimesOutAndTheRunGoesOn() {
    RunHandle run = client.start("unanswered", Map.of());
    RunTimeoutException e =
        assertThrows(RunTimeoutException.class, () -> run.await(Duration.ofSeconds(1)));
    assertEquals(run.runId(), e.runId());
    assertTrue(e.getMessage().contains("did not end within 1000 ms"), e.getMessage());
    run.cancel();
    assertEquals(RunResult.Status.CANCELLED, run.await(LONG).status());
  }

  @Test
  void approvalsAndRejectionsGoThroughTheClient() {
    RunHandle yes = client.start("approved", Map.of());
    RunHandle no = client.start("approved", Map.of());
    for (RunHandle h : List.of(yes, no)) {
      await()
          .atMost(LONG)
          .until(() -> h.events().stream().anyMatch(e -> e.getType() == RunEventType.JOB_WAITING));
    }
    client.approve(yes.runId(), "approve", Map.of("comment", "ship it"));
    client.reject(no.runId(), "approve", "not today");
    RunResult approved = yes.await(LONG);
    assertEquals(RunResult.Status.SUCCEEDED, approved.status(), approved.toString());
    assertEquals("ship it", approved.outputs().get("approve.comment"));
    RunResult rejected = no.await(LONG);
    assertEquals(RunResult.Status.FAILED, rejected.status());
    assertEquals("approve", rejected.failedJob());
    BatonException unknown =
        assertThrows(
            BatonException.class,
            () -> client.approve("someone-elses-run", "approve", Map.of("comment", "?")));
    assertTrue(unknown.getMessage().contains("name the attempt"), unknown.getMessage());
  }

  @Test
  void templatesAreCheckedAsApplyChecksThemAndRunOncePublished() {
    TemplateRejectedException bad =
        assertThrows(
            TemplateRejectedException.class,
            () ->
                client
                    .templates()
                    .validate(
                        "bad.yaml",
                        """
                        name: bad
                        version: 1
                        jobs:
                          - name: a
                            command: ["true"]
                            retry: {limit: many}
                        """));
    assertTrue(bad.getMessage().startsWith("bad.yaml:6: jobs[0].retry.limit"), bad.getMessage());
    TemplateRejectedException noTopic =
        assertThrows(
            TemplateRejectedException.class,
            () ->
                client
                    .templates()
                    .apply(
                        "lost.yaml",
                        """
                        name: lost
                        version: 1
                        jobs:
                          - name: ask
                            service: {topic: client.no-such-topic, value: {q: "?"}}
                        """));
    assertTrue(
        noTopic.getMessage().contains("jobs[0].service.topic: topic 'client.no-such-topic'"),
        noTopic.getMessage());
    client
        .templates()
        .apply(
            "tripled.yaml",
            """
            name: tripled
            version: 1
            params:
              n: {required: true}
            jobs:
              - name: triple
                command: [sh, -c, 'echo "value=$((N * 3))" >> "$BATON_OUTPUTS"']
                env: {N: "${params.n}"}
                outputs: [value]
            """);
    RunResult r = client.start("tripled", Map.of("n", "5")).await(LONG);
    assertEquals("15", r.outputs().get("triple.value"), r.toString());

    Template second =
        Template.named("tripled")
            .version(2)
            .param("n", Param.required())
            .job(
                "triple",
                j ->
                    j.command("sh", "-c", "echo \"value=$((N * 3))\" >> \"$BATON_OUTPUTS\"")
                        .env("N", "${params.n}")
                        .outputs("value"))
            .job(
                "add-one",
                j ->
                    j.command("sh", "-c", "echo \"value=$((V + 1))\" >> \"$BATON_OUTPUTS\"")
                        .env("V", "${jobs.triple.outputs.value}")
                        .outputs("value"))
            .output("total", "${jobs.add-one.outputs.value}")
            .build();
    assertEquals(2, client.templates().apply(second).version());
    RunResult built = client.start("tripled", Map.of("n", "5")).await(LONG);
    assertEquals("16", built.outputs().get("total"), built.toString());
  }

  @Test
  void errorsNameWhatIsWrongAndNeverHang() {
    BatonException noTemplate =
        assertThrows(
            BatonException.class, () -> client.start("no-such-template", Map.of()).await(LONG));
    assertTrue(noTemplate.getMessage().contains("no-such-template"), noTemplate.getMessage());
    BatonException noParam =
        assertThrows(BatonException.class, () -> client.start("doubling", Map.of()).await(LONG));
    assertTrue(noParam.getMessage().contains("'n'"), noParam.getMessage());
    java.util.HashMap<String, String> withNull = new java.util.HashMap<>();
    withNull.put("n", null);
    assertThrows(BatonException.class, () -> client.start("doubling", withNull));
    String nobody = "127.0.0.1:" + DevFiles.freePort();
    BatonException down =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () ->
                assertThrows(
                    BatonException.class,
                    () -> BatonClient.builder(nobody).timeout(Duration.ofSeconds(2)).build()));
    assertTrue(down.getMessage().contains(nobody), down.getMessage());
    BatonException noTopics =
        assertThrows(
            BatonException.class,
            () -> BatonClient.builder(baton.bootstrap).topicPrefix("nothing-here").build());
    assertTrue(noTopics.getMessage().contains("nothing-here.events"), noTopics.getMessage());
  }

  /** The doubling worker as a process: 100 ms per request. */
  private static List<String> workerCommand() {
    List<String> command = new ArrayList<>(ChildProcess.java(DoublingWorker.class.getName()));
    command.addAll(List.of(baton.bootstrap, baton.prefix, REQUESTS, "100"));
    return command;
  }

  /** The client readers of the events topic in this JVM (each has its own consumer meters). */
  private static long eventReaders() throws Exception {
    return ManagementFactory.getPlatformMBeanServer()
        .queryNames(
            new ObjectName("kafka.consumer:type=consumer-metrics,client-id=baton-client-events-*"),
            null)
        .size();
  }
}
