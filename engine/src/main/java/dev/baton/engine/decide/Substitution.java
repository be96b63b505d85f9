package dev.baton.engine.decide;

import dev.baton.engine.template.Placeholders;
import dev.baton.engine.template.Placeholders.OutputRef;
import dev.baton.engine.template.Placeholders.ParamRef;
import dev.baton.engine.template.Placeholders.RunIdRef;

/** Resolves a job's {@code ${...}} references against a run's params and earlier jobs' outputs. */
final class Substitution {
  private final RunState run;

  Substitution(RunState run) {
    this.run = run;
  }

  String apply(String text) {
    return Placeholders.substitute(text, ref -> {
      if (ref instanceof ParamRef p) {
        String v = run.params().get(p.param());
        if (v == null) {
          throw new MissingValueException("parameter '" + p.param() + "' has no value");
        }
        return v;
      }
      if (ref instanceof OutputRef o) {
        JobState producer = run.job(o.job());
        String v = producer == null ? null : producer.outputs().get(o.key());
        if (v == null) {
          throw new MissingValueException("needs output '" + o.key() + "' of job '" + o.job() + "', which it did not write");
        }
        return v;
      }
      if (ref instanceof RunIdRef) {
        return run.runId();
      }
      throw new MissingValueException("cannot resolve reference " + ref);
    });
  }

  static final class MissingValueException extends RuntimeException {
    MissingValueException(String message) {
      super(message);
    }
  }
}
