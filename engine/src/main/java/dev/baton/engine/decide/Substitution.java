package dev.baton.engine.decide;

import dev.baton.template.ArtifactSpec;
import dev.baton.template.Placeholders;
import dev.baton.template.Placeholders.ArtifactRef;
import dev.baton.template.Placeholders.ItemRef;
import dev.baton.template.Placeholders.OutputRef;
import dev.baton.template.Placeholders.ParamRef;
import dev.baton.template.Placeholders.RunIdRef;
import dev.baton.template.Placeholders.RunStatusRef;

/**
 * Resolves a job's {@code ${...}} references against a run's params, earlier outputs, and the item
 * of an instance.
 */
final class Substitution {
  private final RunState run;
  private final String item;

  Substitution(RunState run, String item) {
    this.run = run;
    this.item = item;
  }

  String apply(String text) {
    return Placeholders.substitute(
        text,
        ref -> {
          if (ref instanceof ParamRef p) {
            return require(
                run.params().get(p.param()), "parameter '" + p.param() + "' has no value");
          }
          if (ref instanceof OutputRef o) {
            JobState producer = run.job(o.job());
            String v = producer == null ? null : producer.outputs().get(o.key());
            return require(
                v,
                "needs output '" + o.key() + "' of job '" + o.job() + "', which it did not write");
          }
          if (ref instanceof ArtifactRef a) {
            JobState producer = run.job(a.job());
            String v =
                producer == null ? null : producer.outputs().get(ArtifactSpec.outputKey(a.name()));
            return require(
                v,
                "needs artifact '"
                    + a.name()
                    + "' of job '"
                    + a.job()
                    + "', which it did not produce");
          }
          if (ref instanceof RunIdRef) {
            return run.runId();
          }
          if (ref instanceof RunStatusRef) {
            return require(
                run.outcome() == null ? null : run.outcome().name(),
                "${run.status} is known only to the exit handler");
          }
          if (ref instanceof ItemRef) {
            return require(item, "${item} is known only to a fan-out instance");
          }
          throw new MissingValueException("cannot resolve reference " + ref);
        });
  }

  private static String require(String value, String message) {
    if (value == null) {
      throw new MissingValueException(message);
    }
    return value;
  }

  static final class MissingValueException extends RuntimeException {
    MissingValueException(String message) {
      super(message);
    }
  }
}
