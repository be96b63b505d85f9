package dev.baton.cli.bench;

import dev.baton.engine.topology.CommitPacer;
import dev.baton.engine.topology.StreamsInternals;
import dev.baton.events.DispatchAction;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.serde.Wire;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The architecture's ceiling: a Kafka Streams topology with the engine's settings that turns each
 * completion into a dispatch of the same run, with no Redis and no decision. It decodes and encodes
 * as the engine does, and commits as the engine does (under exactly-once, as soon as a task's input
 * is drained, at most once per commit interval), so only Baton's own work separates the two.
 */
final class CeilingTopology {
  private CeilingTopology() {}

  /** {@code commitSpacing}: null at least once; exactly once, the commit interval. */
  static Topology build(String completions, String dispatch, Wire wire, Duration commitSpacing) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(completions, Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .process(() -> new PassThrough(dispatch, wire, commitSpacing))
        .to(dispatch, Produced.with(Serdes.String(), Serdes.ByteArray()));
    return builder.build();
  }

  private static final class PassThrough implements Processor<String, byte[], String, byte[]> {
    private final String dispatch;
    private final Wire wire;
    private final Duration commitSpacing;
    private ProcessorContext<String, byte[]> context;
    private final CommitPacer pacer;

    PassThrough(String dispatch, Wire wire, Duration commitSpacing) {
      this.dispatch = dispatch;
      this.wire = wire;
      this.commitSpacing = commitSpacing;
      this.pacer = new CommitPacer(commitSpacing == null ? Duration.ZERO : commitSpacing);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
      this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
      context.forward(
          record.withValue(
              wire.encode(dispatch, next(wire.decode(record.value(), JobCompletion.class)))));
      pacer.processed();
      // The engine learns of each commit from its commit hook; the ceiling takes its own requests
      // for them.
      if (commitSpacing != null
          && !StreamsInternals.taskHasQueuedRecords(context)
          && pacer.commitNow()) {
        context.commit();
        pacer.committing();
      }
    }
  }

  private static JobDispatch next(JobCompletion c) {
    int step =
        c.getJob().equals("start")
            ? 1
            : Integer.parseInt(c.getJob().substring("step-".length())) + 1;
    return JobDispatch.newBuilder()
        .setEventId(c.getRunId() + "/step-" + step + "/1")
        .setRunId(c.getRunId())
        .setOccurredAt(Instant.now())
        .setAction(DispatchAction.START)
        .setTemplate("bench-seq")
        .setTemplateVersion(1)
        .setJob("step-" + step)
        .setAttempt(1)
        .setAttemptId(c.getRunId() + "/step-" + step + "/1")
        .build();
  }
}
