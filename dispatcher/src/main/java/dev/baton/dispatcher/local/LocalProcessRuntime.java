package dev.baton.dispatcher.local;

import dev.baton.concurrent.DaemonThreads;
import dev.baton.dispatcher.JobRuntime;
import dev.baton.dispatcher.OutputTail;
import dev.baton.dispatcher.Reports;
import dev.baton.dispatcher.artifacts.ArtifactTransfers;
import dev.baton.events.CompletionStatus;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.process.ProcessTrees;
import dev.baton.secrets.SecretSource;
import dev.baton.security.AttemptTokens;
import dev.baton.security.Secrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job attempt as a child process of this machine. The argv goes to the OS as a list, never
 * through a shell (a template that wants one says {@code [sh, -c, ...]} itself). The process sees
 * only a few variables of this one (PATH, HOME, LANG, TZ, TMPDIR), the dispatch's environment
 * (params and the job's env) and the {@code BATON_*} coordinates, including {@code BATON_OUTPUTS}:
 * the file it writes its outputs to.
 */
public final class LocalProcessRuntime implements JobRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(LocalProcessRuntime.class);

  private final Path workDir;
  private final int tailBytes;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(DaemonThreads.named("baton-local-job"));
  private final Map<String, Attempt> running = new ConcurrentHashMap<>();

  private final SecretSource secrets;
  private final JobGuardian guardian;
  private final ArtifactTransfers artifacts;

  /** Runs just before a job's process starts (tests hold a job there). */
  volatile Runnable beforeProcessStart = () -> {};

  /** Without secrets: a job that references one fails before it starts. */
  public LocalProcessRuntime(Path workDir, int tailBytes) {
    this(workDir, tailBytes, SecretSource.none());
  }

  public LocalProcessRuntime(Path workDir, int tailBytes, SecretSource secrets) {
    this(workDir, tailBytes, secrets, ArtifactTransfers.none());
  }

  /** With {@code artifacts}: how jobs' artifacts move to and from the store. */
  public LocalProcessRuntime(
      Path workDir, int tailBytes, SecretSource secrets, ArtifactTransfers artifacts) {
    this.workDir = workDir;
    this.tailBytes = tailBytes;
    this.secrets = secrets;
    this.artifacts = artifacts;
    this.guardian = JobGuardian.start(workDir.resolve("running.pids"));
  }

  private static final class Attempt {
    volatile Process process;
    volatile boolean stopRequested;
    volatile boolean abandoned;
  }

  @Override
  public boolean start(JobDispatch dispatch, Consumer<JobCompletion> onEnd) {
    Attempt attempt = new Attempt();
    if (running.putIfAbsent(dispatch.getAttemptId(), attempt) != null) {
      return false;
    }
    threads.execute(
        () -> {
          JobCompletion completion;
          try {
            completion = run(dispatch, attempt);
          } catch (RuntimeException e) {
            LOG.error("job {} could not be run", dispatch.getAttemptId(), e);
            completion =
                Reports.ended(
                    dispatch,
                    "local",
                    CompletionStatus.FAILED,
                    null,
                    Map.of(),
                    "baton could not run the job: " + e,
                    null,
                    null,
                    null);
          } finally {
            running.remove(dispatch.getAttemptId());
            guardRunning();
          }
          if (!attempt.abandoned) {
            onEnd.accept(completion);
          }
        });
    return true;
  }

  private JobCompletion run(JobDispatch dispatch, Attempt attempt) {
    Path dir;
    Instant started = Instant.now();
    try {
      dir =
          Files.createDirectories(
              workDir.resolve(JobProcess.directoryName(dispatch.getAttemptId())));
      Files.deleteIfExists(dir.resolve("outputs"));
    } catch (IOException e) {
      return failed(dispatch, "cannot create work directory: " + e.getMessage(), started);
    }
    Map<String, String> secretValues = new LinkedHashMap<>();
    String missing = resolveSecrets(dispatch, secretValues);
    if (missing != null) {
      ProcessWaits.deleteQuietly(dir);
      return failed(dispatch, missing, started);
    }
    Path outputs = dir.resolve("outputs");
    String missingProgram = JobProcess.missingProgram(dispatch.getCommand().get(0), dir);
    if (missingProgram != null) {
      ProcessWaits.deleteQuietly(dir);
      return failed(dispatch, "cannot start " + missingProgram, started);
    }
    Path artifactDir = null;
    if (ArtifactTransfers.declares(dispatch)) {
      try {
        artifactDir = artifacts.prepare(dispatch, dir);
      } catch (ArtifactTransfers.TransferException e) {
        ProcessWaits.deleteQuietly(dir);
        return failed(dispatch, e.getMessage(), started);
      }
    }
    ProcessBuilder pb = JobProcess.builder(dispatch, dir, outputs, secretValues);
    pb.command(guardian.ownSession(pb.command()));
    if (artifactDir != null) {
      pb.environment().put(ArtifactTransfers.VARIABLE, artifactDir.toString());
    }
    OutputTail out = new OutputTail(tailBytes);
    OutputTail err = new OutputTail(tailBytes);
    beforeProcessStart.run();
    try {
      synchronized (attempt) {
        if (attempt.abandoned) {
          ProcessWaits.deleteQuietly(dir);
          return failed(dispatch, "the runtime closed before the job started", started);
        }
        if (attempt.stopRequested) {
          // Stopped before its process started: it never starts.
          ProcessWaits.deleteQuietly(dir);
          return ended(dispatch, true, false, -1, outputs, "", "", started, Instant.now());
        }
        attempt.process = pb.start();
      }
      guardRunning();
    } catch (IOException e) {
      return failed(
          dispatch,
          "cannot start " + dispatch.getCommand().get(0) + ": " + e.getMessage(),
          started);
    }
    Process process = attempt.process;
    LOG.info(
        "started {} (pid {}): {}",
        dispatch.getAttemptId(),
        process.pid(),
        String.join(" ", dispatch.getCommand()));
    ProcessWaits.closeQuietly(process);
    Future<?> outDrained = threads.submit(() -> out.drain(process.getInputStream()));
    Future<?> errDrained = threads.submit(() -> err.drain(process.getErrorStream()));
    boolean timedOut = !ProcessWaits.waitFor(process, dispatch.getTimeoutMs());
    if (timedOut || attempt.stopRequested) {
      ProcessTrees.destroy(process);
    }
    int exit = ProcessWaits.waitForExit(process);
    Instant ended = Instant.now();
    // The tails are complete only once both pipes are read to their end.
    ProcessWaits.awaitDrained(outDrained);
    ProcessWaits.awaitDrained(errDrained);
    JobCompletion completion =
        ended(
            dispatch,
            attempt.stopRequested,
            timedOut,
            exit,
            outputs,
            out.text(),
            err.text(),
            started,
            ended);
    if (artifactDir != null && completion.getStatus() == CompletionStatus.SUCCEEDED) {
      completion = withArtifacts(completion, dispatch, artifactDir);
    }
    ProcessWaits.deleteQuietly(dir);
    return masked(completion, dispatch, secretValues.values());
  }

  /** A success with its stored artifacts among its outputs; a failure if one cannot be stored. */
  private JobCompletion withArtifacts(JobCompletion c, JobDispatch dispatch, Path artifactDir) {
    try {
      Map<String, String> outputs = new LinkedHashMap<>(c.getOutputs());
      outputs.putAll(artifacts.store(dispatch, artifactDir));
      return JobCompletion.newBuilder(c).setOutputs(outputs).build();
    } catch (ArtifactTransfers.TransferException e) {
      LOG.info("{} failed: {}", dispatch.getAttemptId(), e.getMessage());
      return JobCompletion.newBuilder(c)
          .setStatus(CompletionStatus.FAILED)
          .setOutputs(Map.of())
          .setErrorTail(e.getMessage())
          .build();
    }
  }

  /** The values of the job's secrets into {@code values}; the reason when one is missing. */
  private String resolveSecrets(JobDispatch dispatch, Map<String, String> values) {
    for (var ref : dispatch.getSecretEnv().entrySet()) {
      var value = secrets.value(ref.getValue());
      if (value.isEmpty()) {
        return "secret '"
            + ref.getValue().getName()
            + "' key '"
            + ref.getValue().getKey()
            + "' (for "
            + ref.getKey()
            + ") is not available to this dispatcher: set BATON_SECRETS_DIR or "
            + SecretSource.variable(ref.getValue());
      }
      values.put(ref.getKey(), value.get());
    }
    return null;
  }

  /** How the process ended: stopped, timed out, or its exit code and outputs file. */
  private static JobCompletion ended(
      JobDispatch dispatch,
      boolean stopped,
      boolean timedOut,
      int exit,
      Path outputs,
      String stdout,
      String stderr,
      Instant started,
      Instant ended) {
    CompletionStatus status;
    Map<String, String> outs = Map.of();
    String error = stderr;
    if (stopped) {
      status = CompletionStatus.STOPPED;
    } else if (timedOut) {
      status = CompletionStatus.TIMED_OUT;
    } else {
      status = exit == 0 ? CompletionStatus.SUCCEEDED : CompletionStatus.FAILED;
      try {
        outs = OutputsFile.read(outputs);
      } catch (IOException | IllegalArgumentException e) {
        status = CompletionStatus.FAILED;
        error = (error.isBlank() ? "" : error + "\n") + e.getMessage();
      }
    }
    LOG.info(
        "{} ended {} (exit {}) in {} ms",
        dispatch.getAttemptId(),
        status,
        exit,
        ended.toEpochMilli() - started.toEpochMilli());
    return Reports.ended(
        dispatch,
        "local",
        status,
        exit,
        outs,
        error.isBlank() ? null : error,
        stdout,
        started,
        ended);
  }

  /**
   * What the job wrote never carries a secret's value onward (not to Kafka, Redis, logs or the
   * API), nor its attempt token.
   */
  private static JobCompletion masked(
      JobCompletion c, JobDispatch dispatch, Collection<String> secretValues) {
    var values = new ArrayList<>(secretValues);
    String token = dispatch.getEnv().get(AttemptTokens.TOKEN_VARIABLE);
    if (token != null) {
      values.add(token);
    }
    return JobCompletion.newBuilder(c)
        .setOutputs(Secrets.mask(c.getOutputs(), values))
        .setErrorTail(c.getErrorTail() == null ? null : Secrets.mask(c.getErrorTail(), values))
        .setOutputTail(c.getOutputTail() == null ? null : Secrets.mask(c.getOutputTail(), values))
        .build();
  }

  private static JobCompletion failed(JobDispatch dispatch, String why, Instant started) {
    return Reports.ended(
        dispatch,
        "local",
        CompletionStatus.FAILED,
        null,
        Map.of(),
        why,
        null,
        started,
        Instant.now());
  }

  @Override
  public void stop(String attemptId) {
    Attempt attempt = running.get(attemptId);
    if (attempt == null) {
      return;
    }
    Process p;
    synchronized (attempt) { // a process about to start sees the stop, or is started and seen here
      attempt.stopRequested = true;
      p = attempt.process;
    }
    if (p != null) {
      threads.execute(() -> ProcessTrees.destroy(p));
    }
  }

  /** Tells the guardian which jobs run now. */
  private void guardRunning() {
    guardian.running(running.values().stream().map(a -> a.process).toList());
  }

  @Override
  public int running() {
    return running.size();
  }

  /** The pids of the processes running now, by attempt id (for tests and status). */
  public Map<String, Long> pids() {
    Map<String, Long> pids = new TreeMap<>();
    running.forEach(
        (id, a) -> {
          if (a.process != null) {
            pids.put(id, a.process.pid());
          }
        });
    return pids;
  }

  /**
   * Kills what runs without reporting it: the engine's timeouts account for attempts lost this way.
   */
  @Override
  public void close() {
    running
        .values()
        .forEach(
            a -> {
              synchronized (a) {
                a.abandoned = true;
                if (a.process != null) {
                  ProcessTrees.destroy(a.process);
                }
              }
            });
    threads.shutdownNow();
    guardian.close();
    // Once closed, no job thread starts a process or touches the work directory any more.
    try {
      if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("local jobs still ending 10 s after the runtime closed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
