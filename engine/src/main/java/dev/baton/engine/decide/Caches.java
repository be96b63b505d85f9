package dev.baton.engine.decide;

import dev.baton.events.RunCommand;
import dev.baton.events.RunEventType;
import dev.baton.template.CacheSpec;
import dev.baton.template.JobSpec;
import java.util.Map;

/**
 * Cached jobs. An attempt of a job with {@code cache} first resolves its key and asks for a lookup
 * (a CACHE_LOOKUP command to the run's own task, which the engine answers from the result cache as
 * it applies it); on a hit the job succeeds with the stored outputs (CACHED) and runs nothing; on a
 * miss the same attempt is dispatched, and when it succeeds its outputs are stored for the key. Two
 * runs that look up one key before either has stored a result both run the job; the first result
 * stored is kept, and later runs reuse it until its ttl ends.
 */
final class Caches {
  private Caches() {}

  /** Starts the next attempt's lookup. Returns false if its key could not be resolved. */
  static boolean lookup(Step s, JobSpec spec, JobState job) {
    String key;
    try {
      key = new Substitution(s.state, null).apply(spec.cache().key());
    } catch (Substitution.MissingValueException e) {
      Dispatches.unresolved(s, spec, "cache.key " + e.getMessage());
      return false;
    }
    if (key.length() > CacheSpec.MAX_KEY_CHARS) {
      Dispatches.unresolved(
          s,
          spec,
          "cache.key gives "
              + key.length()
              + " characters; a key may have at most "
              + CacheSpec.MAX_KEY_CHARS);
      return false;
    }
    int attempt = job.attempt() + 1;
    s.put(job.lookingUp(attempt, key));
    s.add(new EngineCommand.LookupCache(s.state.runId(), spec.name(), attempt));
    return true;
  }

  /**
   * The lookup's answer, as the engine filled it in: {@code source} names the stored result (null
   * on a miss) and {@code values} are its outputs. A result without an output the job declares now
   * (kept before the template changed) counts as none.
   */
  static Decision answered(Step s, RunCommand c) {
    JobSpec spec = c.getJob() == null ? null : s.template.job(c.getJob()).orElse(null);
    JobState job = spec == null ? null : s.job(spec.name());
    if (job == null || spec.cache() == null) {
      return Decider.reject(
          s.state, "run '" + s.state.runId() + "' has no cached job '" + c.getJob() + "'");
    }
    if (!job.inLookup() || c.getAttempt() == null || job.attempt() != c.getAttempt()) {
      return Decider.ignore(
          s.state,
          "cache lookup for "
              + JobState.attemptId(
                  s.state.runId(), spec.name(), c.getAttempt() == null ? 0 : c.getAttempt())
              + " ignored: the job is "
              + job.status()
              + " at attempt "
              + job.attempt());
    }
    if (c.getSource() != null && c.getValues().keySet().containsAll(spec.outputs())) {
      Map<String, String> outputs = Map.copyOf(c.getValues());
      s.put(job.fromCache(outputs, s.now));
      s.emit(
          RunEventType.JOB_CACHED,
          spec.name(),
          null,
          job.attempt(),
          null,
          outputs,
          "result of " + c.getSource() + " for key '" + job.cacheKey() + "'");
      Completions.afterJobEnded(s, spec);
      return s.decision();
    }
    if (s.state.paused()) {
      Lifecycle.holdRetry(s, spec, null); // dispatched when the run resumes (after a new lookup)
      return s.decision();
    }
    Dispatches.runAttempt(s, spec, job, job.attempt());
    return s.decision();
  }

  /** A succeeded attempt of a cached job that ran: its outputs are stored for its key. */
  static void store(Step s, JobSpec spec, JobState done) {
    if (spec.cache() == null || done.cacheKey() == null || done.cached()) {
      return;
    }
    s.add(
        new EngineCommand.StoreResult(
            s.state.template(),
            spec.name(),
            done.cacheKey(),
            done.outputs(),
            JobState.attemptId(s.state.runId(), spec.name(), done.attempt()),
            spec.cache().ttl()));
  }
}
