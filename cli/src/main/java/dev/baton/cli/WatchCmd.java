package dev.baton.cli;

import dev.baton.engine.decide.JobState;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.RedisRunRepository;
import dev.baton.events.RunEventType;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton watch}: a run live. In a terminal (or with {@code --live}) a table of its jobs
 * redrawn in place from the run's state, with jobs done / total and the elapsed time; otherwise
 * (piped) its events, one line each, from its start.
 */
@Command(
    name = "watch",
    description = "Show a run live until it ends.",
    mixinStandardHelpOptions = true)
final class WatchCmd implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin KafkaOptions kafka;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Option(
      names = "--timeout",
      defaultValue = "10m",
      paramLabel = "DURATION",
      description = "Give up after (default: ${DEFAULT-VALUE})")
  String timeout;

  @Option(
      names = "--live",
      description = "Redraw the jobs table in place (the default in a terminal)")
  boolean live;

  @Option(
      names = "--events",
      description = "Print the run's events as lines (the default when piped)")
  boolean events;

  @Mixin RedisOptions redis;

  @Override
  public Integer call() throws InterruptedException {
    Duration wait = Durations.parse(timeout, "--timeout", spec.commandLine());
    PrintWriter out = spec.commandLine().getOut();
    if (!events && (live || Terminal.attached())) {
      return live(out, wait);
    }
    try (RunFollower follower =
        new RunFollower(kafka.bootstrapServers(), kafka.topics().events(), true, kafka.wire())) {
      RunEventType end =
          follower.follow(runId, new PrintStream(new WriterOutputStream(out), true), wait);
      return RunCmd.exitCode(end, out, wait);
    }
  }

  private int live(PrintWriter out, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    try (RedisRunRepository runs = redis.open("watch")) {
      while (System.nanoTime() < deadline) {
        RunState run = runs.find(runId).orElse(null);
        if (Terminal.attached()) {
          out.print("\033[H\033[2J");
        }
        if (run == null) {
          out.println("waiting for run " + runId + "...");
        } else {
          render(run, out);
          if (run.status().isFinal()) {
            return switch (run.status()) {
              case SUCCEEDED -> 0;
              case CANCELLED -> 3;
              default -> 1;
            };
          }
        }
        out.flush();
        TimeUnit.MILLISECONDS.sleep(500);
      }
    }
    out.println("no end of the run within " + wait.toSeconds() + " s");
    return 4;
  }

  static void render(RunState run, PrintWriter out) {
    long done = run.jobs().values().stream().filter(j -> j.status().isFinal()).count();
    Instant end = run.endedAt() != null ? run.endedAt() : Instant.now();
    out.printf(
        "run %s  %s v%d  %s  %d/%d jobs done  %.1f s%n",
        run.runId(),
        run.template(),
        run.templateVersion(),
        run.status(),
        done,
        run.jobs().size(),
        Duration.between(run.createdAt(), end).toMillis() / 1000.0);
    for (JobState j : run.jobs().values()) {
      String progress =
          j.fansOut()
              ? j.itemsDone() + "/" + j.items() + " items"
              : j.attempt() > 0 ? "attempt " + j.attempt() : "";
      out.printf(
          "  %-16s %-10s %s%s%n",
          j.name(),
          j.status(),
          progress,
          j.error() == null ? "" : "  " + RunFollower.shorten(j.error()));
    }
  }
}
