package dev.baton.dispatcher.local;

import dev.baton.dispatcher.JobEnvironment;
import dev.baton.events.JobDispatch;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** How a job attempt's process is made: its argv, environment and work directory. */
final class JobProcess {
  private static final List<String> INHERITED =
      List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR");

  private JobProcess() {}

  /**
   * The job's argv, run without a shell in {@code dir}, with the job environment and its secrets
   * and nothing of the dispatcher's own environment but {@code INHERITED}.
   */
  static ProcessBuilder builder(
      JobDispatch dispatch, Path dir, Path outputs, Map<String, String> secretValues) {
    ProcessBuilder pb = new ProcessBuilder(dispatch.getCommand()).directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().retainAll(INHERITED);
    env.putAll(secretValues);
    env.putAll(JobEnvironment.of(dispatch, outputs.toString()));
    return pb;
  }

  /**
   * A name for the attempt's work directory that no other attempt id has: its id made safe for a
   * file name, shortened, and a hash of the whole id ({@code a:b} and {@code a_b} differ).
   */
  static String directoryName(String attemptId) {
    String safe = attemptId.replaceAll("[^A-Za-z0-9_.-]", "_");
    if (safe.length() > 100) {
      safe = safe.substring(0, 100);
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(attemptId.getBytes(StandardCharsets.UTF_8));
      return safe + "-" + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Why {@code program} cannot be started (null when it can): a path that is no executable file, or
   * a name on no directory of PATH. Checked before the start, which goes through {@code setsid}.
   */
  static String missingProgram(String program, Path dir) {
    if (program.contains("/")) {
      Path p = dir.resolve(program);
      return Files.isExecutable(p) && !Files.isDirectory(p)
          ? null
          : program + ": no such executable file";
    }
    String path = System.getenv("PATH");
    for (String d : path == null ? new String[0] : path.split(File.pathSeparator)) {
      Path p = Path.of(d.isEmpty() ? "." : d, program);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        return null;
      }
    }
    return program + ": no such program on PATH";
  }
}
