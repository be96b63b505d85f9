package dev.baton.cli;

import dev.baton.cli.bench.BenchCmd;
import dev.baton.cli.chaos.ChaosCmd;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Arrays;
import org.apache.kafka.common.errors.TimeoutException;
import org.redisson.client.RedisConnectionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code baton} command line. */
@Command(
    name = "baton",
    mixinStandardHelpOptions = true,
    version = "baton 0.1.0",
    description = "Baton: an event-driven workflow engine on Kafka.",
    subcommands = {
      DevCmd.class,
      RunCmd.class,
      BackfillCmd.class,
      StatusCmd.class,
      RunsCmd.class,
      ReplayCmd.class,
      WatchCmd.class,
      CancelCmd.class,
      RetryCmd.class,
      PauseCmd.Pause.class,
      PauseCmd.Resume.class,
      ApprovalCmd.Approve.class,
      ApprovalCmd.Reject.class,
      WaitingCmd.class,
      TemplatesCmd.class,
      TriggersCmd.class,
      CacheCmd.class,
      ArtifactsCmd.class,
      TenantsCmd.class,
      TopicsCmd.class,
      ReportCmd.class,
      ChaosCmd.class,
      BenchCmd.class,
      CommandLine.HelpCommand.class
    })
public final class BatonCli {

  public static void main(String[] args) {
    configureLogging(args);
    System.exit(execute(args, console(System.out), console(System.err)));
  }

  /** Text to a standard stream, in the platform's charset (the terminal's), flushed per line. */
  private static PrintWriter console(OutputStream stream) {
    return new PrintWriter(new OutputStreamWriter(stream, Charset.defaultCharset()), true);
  }

  /** Runs one command line; returns its exit code. Bad arguments print usage, failures one line. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new BatonCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (e, badArgs) -> {
          CommandLine c = e.getCommandLine();
          c.getErr().println(e.getMessage());
          CommandLine.UnmatchedArgumentException.printSuggestions(e, c.getErr());
          c.usage(c.getErr());
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("baton " + commandLine.getCommandName() + ": " + message(e));
          return 2;
        });
    return cli.execute(args);
  }

  private static String message(Throwable e) {
    Throwable t = e;
    while (t.getMessage() == null && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.toString() : t.getMessage();
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof RedisConnectionException) {
        return message
            + " (no Redis answers there: give --redis redis://HOST:PORT or set BATON_REDIS_URL; `baton dev --redis-port N`"
            + " listens on redis://127.0.0.1:N)";
      }
      if (c instanceof TimeoutException) {
        return message
            + " (Kafka did not answer in time: is a broker at --bootstrap-server HOST:PORT, or"
            + " $BATON_BOOTSTRAP_SERVERS, with Baton's topics? `baton dev` runs one on"
            + " localhost:9092)";
      }
    }
    return message;
  }

  /**
   * Baton's own lines at INFO for `dev` (WARN with --quiet), libraries at WARN (the Kafka client at
   * ERROR); -v shows everything at INFO.
   */
  private static void configureLogging(String[] args) {
    boolean verbose =
        Arrays.asList(args).contains("-v") || Arrays.asList(args).contains("--verbose");
    boolean dev = args.length > 0 && args[0].equals("dev");
    boolean bench = args.length > 0 && args[0].equals("bench");
    setIfAbsent(
        "org.slf4j.simpleLogger.defaultLogLevel",
        verbose ? "info" : dev || bench ? "error" : "warn");
    setIfAbsent("org.slf4j.simpleLogger.log.dev.baton", verbose ? "debug" : dev ? "info" : "warn");
    // A broker away makes the Kafka client warn every few hundred ms; the command's error says it.
    setIfAbsent("org.slf4j.simpleLogger.log.org.apache.kafka", verbose ? "info" : "error");
    setIfAbsent("org.slf4j.simpleLogger.log.dev.baton.engine.topology", verbose ? "debug" : "warn");
    setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
    setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
    setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
