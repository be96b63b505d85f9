package dev.baton.cli.dev;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Baton or Kafka process run by `baton chaos` or `baton bench`: started, killed (-9) or stopped
 * (TERM), started again; output to a log file.
 */
public final class ChildProcess {
  private final String name;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path log;
  private Process process;

  public ChildProcess(String name, List<String> command, Map<String, String> env, Path log) {
    this.name = name;
    this.command = command;
    this.env = env;
    this.log = log;
  }

  /** The heap limit of every child JVM. */
  public static final String MAX_HEAP = "-Xmx384m";

  /**
   * JVM options every child gets besides these, space-separated (none by default): the test suite
   * sets C1 alone and the serial collector, as its own JVMs have, since its children live seconds
   * to minutes and C2's compiles cost them more CPU than they save on 2 cores.
   */
  public static final String OPTIONS_PROPERTY = "baton.child.jvm.options";

  public static List<String> java(String mainClass) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(MAX_HEAP);
    String options = System.getProperty(OPTIONS_PROPERTY, "").strip();
    if (!options.isEmpty()) {
      command.addAll(List.of(options.split("\\s+")));
    }
    command.addAll(
        List.of(
            "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.baton.events",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-Dorg.slf4j.simpleLogger.log.dev.baton=info",
            "-cp",
            System.getProperty("java.class.path"),
            mainClass));
    return command;
  }

  public ChildProcess start() throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    process = pb.start();
    return this;
  }

  /** SIGKILL: no shutdown hook, no goodbye to the group, nothing flushed. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then wait for it to end. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public String env(String key) {
    return env.get(key);
  }
}
