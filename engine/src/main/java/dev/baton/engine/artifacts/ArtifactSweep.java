package dev.baton.engine.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.artifacts.ArtifactMeters;
import dev.baton.artifacts.ArtifactStore;
import dev.baton.concurrent.DaemonThreads;
import dev.baton.engine.decide.Children;
import dev.baton.engine.decide.JobState;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.RunRepository;
import dev.baton.template.ArtifactSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what the artifact store holds that no run needs any more: every artifact of a run that
 * has left Redis (its finished-run retention ran out, so its artifacts go with it), and, of a run
 * that has ended, each stored file that no job's state refers to (an attempt that uploaded and then
 * failed, or whose report never applied). A file a cached job's kept result refers to stays until
 * that result expires or is cleared. Runs still going are left alone: an attempt may be uploading.
 * Each engine may sweep: deleting twice is harmless.
 */
public final class ArtifactSweep {
  private static final Logger LOG = LoggerFactory.getLogger(ArtifactSweep.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ArtifactStore store;
  private final RunRepository runs;
  private final Counter deleted;

  public ArtifactSweep(ArtifactStore store, RunRepository runs, MeterRegistry metrics) {
    this.store = store;
    this.runs = runs;
    this.deleted = ArtifactMeters.bytes(metrics, "deleted");
  }

  /** What one pass deleted: files, bytes, and the runs whose every artifact went. */
  public record Result(int files, long bytes, int runsGone) {}

  /** One pass over the store's runs. */
  public Result once() throws IOException {
    int files = 0;
    long bytes = 0;
    int gone = 0;
    // What a cached job's kept result refers to outlives the run that stored it.
    Set<String> cached = new HashSet<>();
    runs.keptResultOutputs().forEach(outputs -> addReferences(outputs, cached));
    for (String child : store.children(store.prefix())) {
      String runPrefix = store.prefix() + child + "/";
      String runId = URLDecoder.decode(child, StandardCharsets.UTF_8); // as the runtime encodes it
      Optional<RunState> run = runs.find(runId);
      if (run.isPresent() && !run.get().status().isFinal()) {
        continue;
      }
      Set<String> kept = run.map(this::referenced).orElseGet(() -> keptByAncestor(runId));
      Map<String, Long> stored = store.keys(runPrefix);
      List<String> doomed =
          stored.keySet().stream().filter(k -> !kept.contains(k) && !cached.contains(k)).toList();
      if (doomed.isEmpty()) {
        continue;
      }
      store.delete(doomed);
      files += doomed.size();
      long freed = doomed.stream().mapToLong(stored::get).sum();
      bytes += freed;
      deleted.increment(freed);
      if (run.isEmpty()) {
        gone++;
      }
      LOG.info(
          "deleted {} artifact file(s) of run {} ({} bytes){}",
          doomed.size(),
          runId,
          freed,
          run.isEmpty() ? ": the run has left Redis" : ": no job refers to them");
    }
    return new Result(files, bytes, gone);
  }

  /** Sweeps every {@code interval} on a thread of its own until closed; a failed pass is logged. */
  public AutoCloseable every(Duration interval) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("baton-artifact-sweep"));
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            once();
          } catch (IOException | RuntimeException e) {
            LOG.warn("artifact sweep failed, next in {}: {}", interval, e.getMessage());
          }
        },
        interval.toMillis(),
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return timer::shutdownNow;
  }

  /**
   * Of a child run that has left Redis, what the nearest ancestor still there refers to: files a
   * sub-workflow passed up live as long as the run that took them.
   */
  private Set<String> keptByAncestor(String runId) {
    for (Optional<String> up = Children.parentId(runId);
        up.isPresent();
        up = Children.parentId(up.get())) {
      Optional<RunState> ancestor = runs.find(up.get());
      if (ancestor.isPresent()) {
        return referenced(ancestor.get());
      }
    }
    return Set.of();
  }

  /**
   * The keys the run's jobs refer to, and its fan-outs' instances (a failed run's succeeded
   * instances keep theirs: a retry keeps those instances).
   */
  private Set<String> referenced(RunState run) {
    Set<String> keys = new HashSet<>();
    for (JobState job : run.jobs().values()) {
      addReferences(job.outputs(), keys);
    }
    Set<String> fanOuts = new HashSet<>();
    run.jobs().values().stream().filter(JobState::fansOut).forEach(j -> fanOuts.add(j.name()));
    if (!fanOuts.isEmpty()) {
      runs.loadItems(run.runId(), new Needs.ItemQuery(Map.of(), fanOuts))
          .values()
          .forEach(item -> addReferences(item.outputs(), keys));
    }
    return keys;
  }

  private void addReferences(Map<String, String> outputs, Set<String> keys) {
    outputs.forEach(
        (name, ref) -> {
          if (name.startsWith(ArtifactSpec.OUTPUT_PREFIX)) {
            try {
              JsonNode a = JSON.readTree(ref);
              // one record, or a fan-out's: one per instance
              for (JsonNode one : a.isArray() ? a : List.of(a)) {
                String key = store.keyOf(one.path("uri").asText(null));
                if (key != null) {
                  keys.add(key);
                }
              }
            } catch (IOException e) {
              // not a reference: nothing it keeps
            }
          }
        });
  }
}
