package dev.baton.cli;

import dev.baton.cli.dev.DevStack;
import dev.baton.events.RunEventType;
import dev.baton.events.WorkflowTrigger;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton dev}: everything on this machine, nothing to install but a JDK and Maven. */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description =
        "Run Baton on this machine: an in-process Kafka broker, Redis, the engine and the dispatcher "
            + "(local processes); applies templates/, runs the example pipeline once, then waits for triggers.")
final class DevCmd implements Callable<Integer> {
  static final String EXAMPLE = "pipeline";

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--kafka-port",
      defaultValue = "9092",
      description = "Broker port (default: ${DEFAULT-VALUE})")
  int kafkaPort;

  @Option(
      names = "--controller-port",
      defaultValue = "9093",
      description = "KRaft controller port (default: ${DEFAULT-VALUE})")
  int controllerPort;

  @Option(
      names = "--redis-port",
      defaultValue = "6379",
      description = "Redis port (default: ${DEFAULT-VALUE})")
  int redisPort;

  @Option(
      names = "--http-port",
      defaultValue = "8080",
      description = "REST API port on localhost (default: ${DEFAULT-VALUE})")
  int httpPort;

  @Option(
      names = "--templates",
      defaultValue = "templates",
      description = "Templates to apply (default: ${DEFAULT-VALUE})")
  Path templates;

  @Option(names = "--no-example", description = "Do not run the example pipeline at start-up")
  boolean noExample;

  @Option(
      names = "--exit-after-example",
      description = "Stop after the example run (for scripts and tests)")
  boolean exitAfterExample;

  @Option(
      names = {"-v", "--verbose"},
      description = "Log every decision and client detail")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "starting Kafka (KRaft) on localhost:"
            + kafkaPort
            + ", Redis on "
            + redisPort
            + ", engine, dispatcher...");
    long t0 = System.nanoTime();
    DevStack stack =
        DevStack.start(
            new DevStack.Ports(kafkaPort, controllerPort, redisPort, httpPort), templates);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              long s0 = System.nanoTime();
              out.println("stopping: API, engine, dispatcher, Redis, Kafka...");
              out.flush();
              stack.close();
              out.printf("stopped in %.1f s%n", (System.nanoTime() - s0) / 1e9);
              out.flush();
              stopped.countDown();
            },
            "baton-dev-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    banner(stack, out, (System.nanoTime() - t0) / 1_000_000);
    int exampleExit = noExample ? 0 : runExample(stack, out);
    if (exitAfterExample) {
      Runtime.getRuntime().removeShutdownHook(hook);
      stack.close();
      return exampleExit;
    }
    out.println();
    if (forceOnSecondInterrupt()) {
      out.println("Baton is ready for triggers. Ctrl-C stops everything.");
    } else {
      out.println(
          "Baton is ready for triggers. Ctrl-C is ignored here (started in the background):"
              + " stop it with kill "
              + ProcessHandle.current().pid());
    }
    out.flush();
    stopped.await();
    return 0;
  }

  /**
   * The first Ctrl-C stops in order (the shutdown hook); a second one stops at once. {@code
   * sun.misc.Signal} (module jdk.unsupported) is the only way Java offers to see a signal; javac
   * warns of it on every build, and that warning cannot be suppressed. Returns false when the
   * process ignores SIGINT, as a job started in the background by a shell without job control does
   * (the JVM then keeps ignoring it, and Ctrl-C never reaches `baton dev`).
   */
  private static boolean forceOnSecondInterrupt() {
    AtomicBoolean stopping = new AtomicBoolean();
    try {
      sun.misc.SignalHandler before =
          sun.misc.Signal.handle(
              new sun.misc.Signal("INT"),
              signal -> {
                if (stopping.compareAndSet(false, true)) {
                  new Thread(() -> System.exit(130), "baton-dev-interrupt").start();
                } else {
                  System.err.println("stopping now");
                  Runtime.getRuntime().halt(130);
                }
              });
      return before != sun.misc.SignalHandler.SIG_IGN;
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // no SIGINT here (some platforms): the shutdown hook still stops in order
      return true;
    }
  }

  private void banner(DevStack stack, PrintWriter out, long millis) {
    out.printf("%nBaton dev is up in %.1f s%n", millis / 1000.0);
    out.println("  bootstrap server  " + stack.bootstrapServers());
    out.println("  redis             " + stack.redisUrl() + " (" + stack.redisKind() + ")");
    out.println("  artifact store    " + stack.artifactStore() + " (S3 API, in this process)");
    out.println(
        "  REST API          "
            + stack.apiUrl()
            + "/api/runs   ("
            + stack.apiUrl()
            + "/api/openapi.json)");
    out.println("  metrics           " + stack.apiUrl() + "/metrics   (Prometheus)");
    out.println(
        "  encoding          "
            + stack.wire().encoding().name().toLowerCase(Locale.ROOT)
            + (System.getenv("BATON_REGISTRY_URL") == null
                ? ""
                : " (schema registry " + System.getenv("BATON_REGISTRY_URL") + ")"));
    out.println(
        "  templates         "
            + stack.templates().stream()
                .map(t -> t.template().name() + " v" + t.template().version())
                .toList());
    out.println();
    out.println("Start a run from another terminal:");
    out.println("  ./baton run pipeline -p source=orders.csv --wait");
    out.println(
        "  ./baton run diamond --wait            (and fan-out, flaky, conditional, ...: see templates/)");
    out.println(
        "  ./baton status <run-id>        ./baton cancel <run-id>        ./baton retry <run-id>");
    out.println(
        "  echo 'r1:{\"runId\":\"r1\",\"template\":\"hello\",\"params\":{\"name\":\"Ada\"}}' | kcat -P -b "
            + stack.bootstrapServers()
            + " -t baton.triggers -K:");
    out.println();
  }

  private int runExample(DevStack stack, PrintWriter out) {
    if (stack.templates().stream().noneMatch(t -> t.template().name().equals(EXAMPLE))) {
      out.println("(no '" + EXAMPLE + "' template in " + templates + ": skipping the example run)");
      return 0;
    }
    String runId = "example-" + Instant.now().toEpochMilli();
    out.println("Running the example pipeline once (" + runId + "):");
    WorkflowTrigger trigger =
        WorkflowTrigger.newBuilder()
            .setRunId(runId)
            .setTemplate(EXAMPLE)
            .setParams(Map.of("source", "orders.csv"))
            .setOccurredAt(Instant.now())
            .build();
    try (RunFollower follower =
        new RunFollower(stack.bootstrapServers(), stack.topics().events(), false, stack.wire())) {
      TriggerPublisher.publish(
          stack.bootstrapServers(), stack.topics().triggers(), trigger, stack.wire());
      RunEventType end =
          follower.follow(
              runId, new PrintStream(new WriterOutputStream(out), true), Duration.ofMinutes(2));
      out.println("  ./baton status " + runId + "   shows its state");
      return RunCmd.exitCode(end, out, Duration.ofMinutes(2));
    }
  }
}
