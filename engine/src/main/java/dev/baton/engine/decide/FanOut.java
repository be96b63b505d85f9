package dev.baton.engine.decide;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.baton.events.RunEventType;
import dev.baton.events.TimerKind;
import dev.baton.expressions.Expressions;
import dev.baton.template.ArtifactSpec;
import dev.baton.template.JobSpec;
import dev.baton.template.Placeholders;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code forEach}: one instance per item, at most {@code maxParallel} at a time. Instances are
 * stored apart from the run document, and the run keeps only counters, so a completion rewrites one
 * instance and a small document however many items there are. When every instance succeeded, the
 * job's outputs are, per declared key, a JSON array of the instances' values in item order, and per
 * declared artifact a JSON array of the instances' records of it.
 */
final class FanOut {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FanOut() {}

  static void start(Step s, JobSpec spec, JobState job) {
    if (job.fansOut()) {
      // A rerun: the instances exist; the failed ones were requeued.
      s.put(job.dispatched(job.attempt(), s.now));
      fill(s, spec);
      return;
    }
    List<String> values;
    var over = ArtifactSpec.forEachOver(spec.forEach());
    if (over.isPresent()) {
      values = artifactItems(s, job, over.get());
    } else {
      try {
        values = Expressions.evalList(spec.forEach(), Variables.of(s.state));
      } catch (Expressions.InvalidExpressionException e) {
        NextJobs.failBeforeStart(s, job, "forEach cannot be evaluated: " + e.getMessage());
        return;
      }
    }
    if (values == null) {
      return;
    }
    for (int i = 0; i < values.size(); i++) {
      ItemState item =
          new ItemState(
              spec.name(), i, values.get(i), JobStatus.PENDING, 0, Map.of(), null, null, null);
      s.items.put(item.key(), item);
    }
    JobState counted = job.withCounters(values.size(), 0, 0, 0, 0, List.of());
    if (values.isEmpty()) {
      Map<String, String> outputs = new LinkedHashMap<>();
      spec.outputs().forEach(k -> outputs.put(k, "[]"));
      spec.artifacts().out().keySet().forEach(n -> outputs.put(ArtifactSpec.outputKey(n), "[]"));
      s.put(counted.dispatched(0, s.now).succeeded(outputs, null, s.now, s.now));
      emitSucceeded(s, spec, outputs, "fan-out over an empty list");
      return;
    }
    s.put(counted.dispatched(0, s.now));
    s.emit(
        RunEventType.JOB_DISPATCHED,
        spec.name(),
        null,
        null,
        null,
        Map.of(),
        "fan-out over "
            + values.size()
            + " items"
            + (spec.maxParallel() > 0 ? ", at most " + spec.maxParallel() + " at a time" : ""));
    fill(s, spec);
  }

  /**
   * The lines (or JSON array elements) of the artifact a {@code forEach} iterates over; null when
   * the job failed before it started for them, or when the decision is to be made again with them
   * read ({@link Step#artifactsToRead}).
   */
  private static List<String> artifactItems(Step s, JobState job, Placeholders.ArtifactRef ref) {
    String what = "forEach over artifact '" + ref.name() + "' of job '" + ref.job() + "'";
    JobState producer = s.job(ref.job());
    String record =
        producer == null ? null : producer.outputs().get(ArtifactSpec.outputKey(ref.name()));
    if (record == null) {
      NextJobs.failBeforeStart(s, job, what + ": the job stored no such artifact");
      return null;
    }
    ArtifactItems read = s.artifactItems.get(record);
    if (read == null) {
      s.artifactsToRead.add(record);
      s.readingArtifactsFor.add(job.name());
      return null;
    }
    if (read.error() != null) {
      NextJobs.failBeforeStart(s, job, what + ": " + read.error());
      return null;
    }
    return read.items();
  }

  /**
   * Dispatches instances while there are free slots: requeued ones first, then the next new index.
   */
  static void fill(Step s, JobSpec spec) {
    while (s.state.status() == RunStatus.RUNNING && !s.state.paused()) {
      JobState job = s.job(spec.name());
      boolean slot = spec.maxParallel() == 0 || job.itemsActive() < spec.maxParallel();
      Integer next = nextIndex(job);
      if (!slot || next == null) {
        return;
      }
      ItemState item = s.item(spec.name(), next);
      if (item == null) {
        return; // not loaded: the next completion of this job dispatches it (Needs loads it then)
      }
      List<Integer> requeued = job.requeued();
      boolean fromQueue = !requeued.isEmpty();
      s.put(
          job.withCounters(
              job.items(),
              fromQueue ? job.nextItem() : job.nextItem() + 1,
              job.itemsActive() + 1,
              job.itemsDone(),
              job.itemsFailed(),
              fromQueue ? requeued.subList(1, requeued.size()) : requeued));
      Dispatches.startItem(s, spec, item);
    }
  }

  static Integer nextIndex(JobState job) {
    if (!job.requeued().isEmpty()) {
      return job.requeued().get(0);
    }
    return job.nextItem() < job.items() ? job.nextItem() : null;
  }

  /** An instance ended for good (succeeded, or failed with no retry left). */
  static void itemEnded(Step s, JobSpec spec, ItemState item, boolean succeeded, String failure) {
    JobState job = s.job(spec.name());
    s.put(
        job.withCounters(
            job.items(),
            job.nextItem(),
            job.itemsActive() - 1,
            job.itemsDone() + (succeeded ? 1 : 0),
            job.itemsFailed() + (succeeded ? 0 : 1),
            job.requeued()));
    if (!succeeded) {
      String why = "item " + item.index() + " (" + item.value() + ") " + failure;
      stopActive(s, spec.name());
      JobState failed = s.job(spec.name());
      s.put(failed.failed(null, why, failed.dispatchedAt(), s.now));
      s.emit(RunEventType.JOB_FAILED, spec.name(), null, null, null, Map.of(), why);
      Lifecycle.failRun(s, "job '" + spec.name() + "' " + why);
      return;
    }
    fill(s, spec);
    JobState now = s.job(spec.name());
    if (now.itemsDone() == now.items()) {
      Map<String, String> outputs = aggregate(s, spec, now.items());
      s.put(now.succeeded(outputs, null, now.dispatchedAt(), s.now));
      emitSucceeded(s, spec, outputs, now.items() + " items");
    }
  }

  private static Map<String, String> aggregate(Step s, JobSpec spec, int items) {
    Map<String, String> outputs = new LinkedHashMap<>();
    for (String key : outputKeys(s, spec, items)) {
      ArrayNode array = JSON.createArrayNode();
      for (int i = 0; i < items; i++) {
        ItemState item = s.item(spec.name(), i);
        if (item == null) {
          throw new IllegalStateException(
              "instance " + i + " of " + spec.name() + " was not loaded for the fan-in");
        }
        array.add(item.outputs().get(key));
      }
      outputs.put(key, array.toString());
    }
    for (String name : spec.artifacts().out().keySet()) {
      // A fan-in reads the instances' files in item order: the records, as one JSON array.
      String key = ArtifactSpec.outputKey(name);
      ArrayNode array = JSON.createArrayNode();
      for (int i = 0; i < items; i++) {
        String record = s.item(spec.name(), i).outputs().get(key);
        try {
          array.add(record == null ? JSON.nullNode() : JSON.readTree(record));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalStateException("instance " + i + " reported a bad record of " + name);
        }
      }
      outputs.put(key, array.toString());
    }
    return outputs;
  }

  /**
   * The keys to gather: those the job declares, or, for instances that run a template, every key
   * its child runs gave (in the order first seen; an instance without one gives null).
   */
  private static Collection<String> outputKeys(Step s, JobSpec spec, int items) {
    if (!spec.runsTemplate()) {
      return spec.outputs();
    }
    Set<String> keys = new LinkedHashSet<>();
    for (int i = 0; i < items; i++) {
      ItemState item = s.item(spec.name(), i);
      if (item != null) {
        keys.addAll(item.outputs().keySet());
      }
    }
    return keys;
  }

  /** Stops the running instances of {@code job} and drops its waiting ones (those loaded). */
  static void stopActive(Step s, String job) {
    for (ItemState other : activeItems(s, job)) {
      if (other.status() == JobStatus.RUNNING) {
        Dispatches.stop(s, job, other.index(), other.attempt());
      } else {
        s.add(
            new EngineCommand.CancelTimer(
                Dispatches.timerId(
                    s.state.runId(), TimerKind.RETRY, job, other.index(), other.attempt())));
      }
      s.put(other.cancelled("stopped"));
    }
  }

  /** Instances of {@code job} that are running or waiting, among those loaded. */
  static List<ItemState> activeItems(Step s, String job) {
    List<ItemState> out = new ArrayList<>();
    for (ItemState item : s.items.values()) {
      if (item.job().equals(job)
          && (item.status() == JobStatus.RUNNING || item.status() == JobStatus.WAITING)) {
        out.add(item);
      }
    }
    return out;
  }

  /** The fan-out job as a whole succeeded, with its aggregated outputs. */
  private static void emitSucceeded(
      Step s, JobSpec spec, Map<String, String> outputs, String detail) {
    s.emit(RunEventType.JOB_SUCCEEDED, spec.name(), null, null, null, outputs, detail);
  }
}
