package dev.baton.dispatcher.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Waiting for a job's process and its pipes, and removing its directory. */
final class ProcessWaits {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessWaits.class);

  private ProcessWaits() {}

  static void closeQuietly(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // stdin of a job that already ended
    }
  }

  static boolean waitFor(Process process, Long timeoutMs) {
    try {
      if (timeoutMs == null) {
        process.waitFor();
        return true;
      }
      return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  static void awaitDrained(Future<?> drained) {
    try {
      drained.get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // A grandchild still holds the pipe open: report the tail read so far.
    }
  }

  static int waitForExit(Process process) {
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("could not delete {}", dir, e);
    }
  }
}
